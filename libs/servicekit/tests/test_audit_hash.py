"""The audit chain's hash: SM3 over a canonical form that reads back the same from the database."""

import uuid
from datetime import datetime, timedelta, timezone

from servicekit.audit import GENESIS, HASHED_FIELDS, plain, record_hash, sm3_hex


def test_sm3_matches_the_standard_test_vector():
    # GB/T 32905-2016 appendix A, message "abc"
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def fields(**changes):
    base = {"seq": 1, "recorded_at": datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=timezone.utc), "service": "acceptance",
            "actor": "health.leader", "role": "unit_leader", "unit_id": "baiyun-health", "action": "insert",
            "object_type": "final_review", "object_id": str(uuid.UUID(int=7)), "project_id": "P-1",
            "object_unit_id": "baiyun-health", "rule_ids": ["BY-47.3a"], "request_id": "r1", "trace_id": None,
            "cause_event_id": None, "source": None, "details": {"values": {"result": "failed", "amount_fen": 100}},
            "prev_hash": GENESIS}
    return {**base, **changes}


def test_every_field_is_covered_by_the_hash():
    original = record_hash(fields())
    for name in HASHED_FIELDS:
        value = fields()[name]
        altered = "x" if not isinstance(value, (int, dict, list, datetime)) or isinstance(value, bool) else None
        if isinstance(value, int):
            altered = value + 1
        elif isinstance(value, datetime):
            altered = value + timedelta(microseconds=1)
        elif isinstance(value, (dict, list)):
            altered = {"other": 1} if isinstance(value, dict) else ["BY-47.3b"]
        assert record_hash(fields(**{name: altered})) != original, name


def test_the_same_instant_in_another_zone_hashes_the_same():
    shanghai = timezone(timedelta(hours=8))
    moment = fields()["recorded_at"].astimezone(shanghai)
    assert record_hash(fields(recorded_at=moment)) == record_hash(fields())


def test_key_order_of_details_does_not_matter():
    assert record_hash(fields(details={"b": 1, "a": 2})) == record_hash(fields(details={"a": 2, "b": 1}))


def test_plain_values_are_json_and_bytes_are_summarised():
    assert plain(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert plain(b"abc") == {"bytes": 3, "sm3": sm3_hex(b"abc")}
