"""NATS permissions follow the event catalogue and the services' subscriptions."""

import importlib
from pathlib import Path

import pytest

from servicekit.nats_auth import CONSUMES, kubernetes_block, permissions, published_subjects

ROOT = Path(__file__).parents[3]


@pytest.mark.parametrize("service", ["intake", "review", "procurement", "acceptance", "notify"])
def test_consumes_matches_the_services_subscriptions(service):
    handlers = importlib.import_module(f"{service}.handlers")
    assert sorted(CONSUMES[service]) == sorted(s.stream.context for s in handlers.SUBSCRIPTIONS)


def test_a_service_publishes_only_the_types_it_owns():
    allowed = permissions("procurement")["publish"]["allow"]
    assert "finance.hold.placed.v1" in allowed and "procurement.project.terminated.v1" in allowed
    assert not any(subject.startswith(("acceptance.", "intake.", "review.", "notify.")) for subject in allowed)
    assert all(subject.startswith(("procurement.", "finance.", "$JS.")) for subject in allowed)
    assert not any(".>" in s and not s.startswith("$JS.ACK.") and not s.startswith("$JS.API.CONSUMER.CREATE.") for s in allowed)


def test_the_finance_system_publishes_payment_events_not_holds():
    subjects = published_subjects("finance-system")
    assert subjects and "finance.hold.placed.v1" not in subjects


def test_consumer_rights_name_the_services_own_durables():
    allowed = permissions("notify")["publish"]["allow"]
    assert "$JS.API.CONSUMER.MSG.NEXT.FINANCE.notify-from-finance" in allowed
    assert not any("procurement-from" in s or "intake-from" in s for s in allowed)
    assert not any("DELETE" in s for s in allowed)
    assert permissions("notify")["subscribe"]["allow"] == ["_INBOX_notify.>"]


def test_the_kubernetes_block_is_up_to_date():
    assert (ROOT / "deploy" / "nats" / "auth.conf").read_text(encoding="utf-8") == kubernetes_block(), \
        "run: uv run python -m servicekit.nats_auth --write deploy/nats/auth.conf"
    assert "$INTAKE_NATS_PASSWORD" in kubernetes_block() and '"$INTAKE_NATS_PASSWORD"' not in kubernetes_block()
