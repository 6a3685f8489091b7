"""Runtime pieces that need no server: clock, settings, error bodies, failpoints, back-off."""

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, StrictInt, ValidationError

from servicekit.clock import MovableClock, business_date
from servicekit.consumer import ConsumerPolicy
from servicekit.errors import validation_body
from servicekit.failpoints import _parse
from servicekit.settings import ServiceSettings

Settings = ServiceSettings.for_service("sample", 8999)


def test_business_date_is_the_day_in_shanghai():
    late_utc = datetime(2026, 9, 30, 17, 30, tzinfo=timezone.utc)  # 01:30 on 1 October in Beijing
    assert business_date(late_utc).isoformat() == "2026-10-01"
    with pytest.raises(ValueError):
        business_date(datetime(2026, 1, 1))


def test_movable_clock_only_moves_forward():
    clock = MovableClock()
    before = clock.now()
    clock.advance(timedelta(days=30))
    assert clock.now() - before >= timedelta(days=30)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        clock.move_to(datetime(2020, 1, 1))


def test_settings_need_a_database_url_and_name_the_variable(monkeypatch):
    monkeypatch.delenv("SAMPLE_DATABASE_URL", raising=False)
    with pytest.raises(ValidationError) as error:
        Settings()
    assert error.value.errors()[0]["loc"] == ("database_url",)


@pytest.fixture
def auth_env(monkeypatch):
    monkeypatch.setenv("AUTH_ISSUER", "https://sso.example.gov.cn/realms/govit")
    monkeypatch.setenv("AUTH_JWKS_URL", "https://sso.example.gov.cn/realms/govit/protocol/openid-connect/certs")


def test_settings_read_prefixed_and_shared_names(monkeypatch, auth_env):
    monkeypatch.setenv("SAMPLE_DATABASE_URL", "postgresql+asyncpg://u:p@h/db")
    monkeypatch.setenv("NATS_URL", "nats://10.0.0.1:4222")
    monkeypatch.setenv("POLICY_PACK", "YL")
    settings = Settings()
    assert (settings.nats_url, settings.policy_pack, settings.port, settings.source) == (
        "nats://10.0.0.1:4222", "YL", 8999, "/services/sample")


def test_settings_refuse_a_sync_driver_and_an_unknown_pack(monkeypatch, auth_env):
    monkeypatch.setenv("SAMPLE_DATABASE_URL", "postgresql://u:p@h/db")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("SAMPLE_DATABASE_URL", "postgresql+asyncpg://u:p@h/db")
    monkeypatch.setenv("POLICY_PACK", "XX")
    with pytest.raises(ValidationError):
        Settings()


def test_settings_need_an_issuer_and_exactly_one_key_source(monkeypatch, auth_env):
    monkeypatch.setenv("SAMPLE_DATABASE_URL", "postgresql+asyncpg://u:p@h/db")
    monkeypatch.setenv("AUTH_JWKS_FILE", "/etc/govit/jwks.json")
    with pytest.raises(ValidationError, match="exactly one of AUTH_JWKS_FILE and AUTH_JWKS_URL"):
        Settings()
    monkeypatch.delenv("AUTH_ISSUER")
    with pytest.raises(ValidationError) as error:
        Settings()
    assert ("AUTH_ISSUER",) in [e["loc"] for e in error.value.errors()]


def test_validation_body_names_the_field_in_both_languages():
    class Body(BaseModel):
        declared_amount_yuan: StrictInt

    with pytest.raises(ValidationError) as error:
        Body.model_validate({"declared_amount_yuan": "100"})
    body = validation_body(error.value.errors())
    assert body["field"] == "declared_amount_yuan"
    assert "declared_amount_yuan" in body["message"] and "必须是整数" in body["message_zh"]


def test_failpoints_refuse_unknown_names():
    assert _parse("outbox.before_publish=kill") == {"outbox.before_publish": "kill"}
    with pytest.raises(ValueError):
        _parse("outbox.typo=kill")


def test_consumer_back_off_grows_then_stays_at_its_longest():
    policy = ConsumerPolicy(backoff_seconds=(1, 2, 5))
    assert [policy.delay_after(n) for n in (1, 2, 3, 4, 9)] == [1, 2, 5, 5, 5]


def test_streams_take_the_configured_replica_count(monkeypatch, auth_env):
    from contracts.streams import STREAMS
    from servicekit.jetstream import stream_config

    Settings = ServiceSettings.for_service("intake", 8001)
    monkeypatch.setenv("INTAKE_DATABASE_URL", "postgresql+asyncpg://u:p@h/db")
    assert Settings().jetstream_replicas == 1  # a single server unless told otherwise
    monkeypatch.setenv("JETSTREAM_REPLICAS", "3")
    assert Settings().jetstream_replicas == 3
    assert {stream_config(spec, 3).num_replicas for spec in STREAMS} == {3}
    monkeypatch.setenv("JETSTREAM_REPLICAS", "7")
    with pytest.raises(ValidationError):
        Settings()


def test_an_unreachable_or_restarting_database_is_waited_out_not_counted_against_the_message():
    from sqlalchemy.exc import DBAPIError

    from servicekit.consumer import infrastructure_unavailable

    class Restarting(Exception):
        sqlstate = "57P03"  # the database system is starting up

    assert infrastructure_unavailable(DBAPIError("SELECT 1", {}, Restarting("starting up")))
    assert infrastructure_unavailable(ConnectionRefusedError(111, "refused"))
    assert infrastructure_unavailable(DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True))
    assert not infrastructure_unavailable(RuntimeError("handler always fails"))
    assert not infrastructure_unavailable(ValueError("bad data"))

    class Violation(Exception):
        sqlstate = "23505"  # a unique violation is the message's fault, not the database's
    assert not infrastructure_unavailable(DBAPIError("INSERT", {}, Violation("duplicate")))
