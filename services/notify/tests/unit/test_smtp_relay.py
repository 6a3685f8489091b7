"""E-mail notices through a relay that wants a login: the relay's credentials come from settings
(NOTIFY_SMTP_USERNAME, NOTIFY_SMTP_PASSWORD from a Secret), and a refused login is an error the
delivery retries, never a silent loss."""

from __future__ import annotations

import smtplib
import socket
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from notify.channels import _send


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        self.messages.append(envelope.content)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN201 - aiosmtpd's hook
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"notify", b"relay-secret")
    return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def relay():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    yield controller, mailbox
    controller.stop()


def settings(port: int, username: str | None, password: str | None) -> SimpleNamespace:
    return SimpleNamespace(smtp_host="127.0.0.1", smtp_port=port, smtp_sender="govit-notify@example.gov.cn",
                           smtp_security="none", smtp_username=username,
                           smtp_password=SecretStr(password) if password else None, delivery_timeout_seconds=5)


NOTE = SimpleNamespace(title_zh="立项计划审核意见超期", title="Plan review opinion overdue", rule_ids=["BY-16b"],
                       project_id="PRJ-1", due_on=date(2026, 12, 1))
CHANNEL = SimpleNamespace(kind="email", address="it@edu.baiyun.gov.cn", secret=None)


async def test_a_notice_is_sent_through_a_relay_that_requires_a_login(relay):
    controller, mailbox = relay
    await _send(settings(controller.port, "notify", "relay-secret"), CHANNEL, NOTE, datetime.now(timezone.utc))
    assert len(mailbox.messages) == 1 and b"BY-16b" in mailbox.messages[0]


async def test_a_wrong_or_missing_login_fails_the_delivery_so_it_is_retried(relay):
    controller, mailbox = relay
    with pytest.raises(smtplib.SMTPException):
        await _send(settings(controller.port, "notify", "wrong"), CHANNEL, NOTE, datetime.now(timezone.utc))
    with pytest.raises(smtplib.SMTPException):
        await _send(settings(controller.port, None, None), CHANNEL, NOTE, datetime.now(timezone.utc))
    assert mailbox.messages == []
