"""The CloudEvents envelope over NATS: what a publisher writes, a consumer reads back."""

import json
from datetime import date, datetime

import pytest
from pydantic import ValidationError

from contracts.base import Event, PackRef
from contracts.envelope import Envelope, EnvelopeError
from contracts.events import AcceptancePassed


def test_headers_and_body_read_back_to_equal_data(sample_event: Event) -> None:
    sent = Envelope(
        data=sample_event,
        source="/services/test",
        trace_headers={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"},
    )

    received = Envelope.from_message(sent.headers(), sent.body())

    assert received.data == sent.data
    assert type(received.data) is type(sent.data)
    assert (received.id, received.source, received.time, received.type) == (sent.id, sent.source, sent.time, sent.type)
    assert received.trace_headers == sent.trace_headers


def test_nats_msg_id_is_the_event_id(sample_event: Event) -> None:
    headers = Envelope(data=sample_event, source="/services/test").headers()

    assert headers["Nats-Msg-Id"] == headers["ce-id"]


def test_subject_falls_back_to_the_unit_for_unit_level_events() -> None:
    from contracts.events import RectificationOverdue

    event = RectificationOverdue.model_validate(
        {
            "unit_id": "U-1",
            "source": "supervision",
            "reason": "overdue",
            "cause_event_id": "e",
            "rule_ids": ["BZ-43b"],
            "detected_at": "2025-01-01T00:00:00+08:00",
        }
    )

    assert Envelope(data=event, source="/s").headers()["ce-subject"] == "U-1"


def _passed(**overrides: object) -> dict:
    data = {
        "project_id": "P-1",
        "unit_id": "U-1",
        "pack": {"id": "BY", "version": "2024.1"},
        "attempt": 1,
        "concluded_on": "2025-01-02",
        "recorded_at": "2025-01-02T10:00:00+08:00",
    }
    return {**data, **overrides}


def test_naive_datetime_in_the_data_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        AcceptancePassed.model_validate(_passed(recorded_at="2025-01-02T10:00:00"))


def test_naive_envelope_time_is_refused() -> None:
    event = AcceptancePassed.model_validate(_passed())

    with pytest.raises(EnvelopeError, match="timezone-aware"):
        Envelope(data=event, source="/s", time=datetime(2025, 1, 2, 10, 0)).headers()


def test_naive_ce_time_on_the_wire_is_refused() -> None:
    sent = Envelope(data=AcceptancePassed.model_validate(_passed()), source="/s")
    headers = {**sent.headers(), "ce-time": "2025-01-02T10:00:00"}

    with pytest.raises(EnvelopeError, match="no offset"):
        Envelope.from_message(headers, sent.body())


def test_unknown_type_is_a_poison_message() -> None:
    sent = Envelope(data=AcceptancePassed.model_validate(_passed()), source="/s")
    headers = {**sent.headers(), "ce-type": "acceptance.project.vanished.v1"}

    with pytest.raises(EnvelopeError, match="unknown event type"):
        Envelope.from_message(headers, sent.body())


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", json.dumps(_passed(attempt=0)).encode(), json.dumps(_passed(pack=None)).encode()],
    ids=["not-json", "not-an-object", "constraint", "missing-field"],
)
def test_body_that_does_not_match_the_schema_is_a_poison_message(body: bytes) -> None:
    headers = Envelope(data=AcceptancePassed.model_validate(_passed()), source="/s").headers()

    with pytest.raises(EnvelopeError, match="does not match its schema"):
        Envelope.from_message(headers, body)


def test_missing_ce_headers_are_named() -> None:
    sent = Envelope(data=AcceptancePassed.model_validate(_passed()), source="/s")
    headers = {k: v for k, v in sent.headers().items() if k not in ("ce-id", "ce-source")}

    with pytest.raises(EnvelopeError, match="ce-id, ce-source"):
        Envelope.from_message(headers, sent.body())


def test_amounts_are_integer_fen() -> None:
    from contracts.events import PaymentClearanceRequested

    fields = {
        "request_id": "r",
        "project_id": "P-1",
        "milestone": "final_payment",
        "requested_at": "2025-01-02T10:00:00+08:00",
    }
    assert PaymentClearanceRequested.model_validate({**fields, "amount_fen": 1234567}).amount_fen == 1234567
    with pytest.raises(ValidationError):
        PaymentClearanceRequested.model_validate({**fields, "amount_fen": 12.5})
    with pytest.raises(ValidationError):
        PaymentClearanceRequested.model_validate({**fields, "amount_fen": -1})


def test_pack_and_dates_survive_the_wire() -> None:
    event = AcceptancePassed.model_validate(_passed())
    sent = Envelope(data=event, source="/s")

    received = Envelope.from_message(sent.headers(), sent.body()).data

    assert received.pack == PackRef(id="BY", version="2024.1")
    assert received.concluded_on == date(2025, 1, 2)
