"""A unit's notices beyond the inbox: e-mail through the configured SMTP server and signed webhooks.

Each notice for a unit is written with one delivery per channel in the same transaction, so none is
lost; a dispatcher sends what is due, and a failure is retried with a growing delay until the
attempts run out, when the delivery is marked failed with its last error (the notice stays in the
inbox either way). A webhook body is signed: ``X-Govit-Signature: sha256=HMAC(secret, timestamp.body)``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import smtplib
import ssl
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from servicekit.db import UnitOfWork
from servicekit.errors import refuse
from servicekit.problems import Problem
from servicekit.security.context import acting_username

from notify.models import Channel, Delivery, Notification

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$")


def check_address(kind: str, address: str) -> list[Problem]:
    """An e-mail address, or a webhook URL over https (plain http only to this machine, for testing)."""
    if kind == "email":
        return [] if EMAIL.fullmatch(address) else [Problem("address", f"{address!r} is not an e-mail address", "邮箱地址无效", ())]
    parts = urlsplit(address)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme == "https" and host:
        return []
    if parts.scheme == "http" and loopback:
        return []
    return [Problem("address", f"{address!r} is not a webhook URL: https://host/path (http only to this machine)",
                    "Webhook 地址无效：须为 https 地址", ())]


async def add_channel(uow: UnitOfWork, unit_id: str, kind: str, address: str) -> Channel:
    refuse(check_address(kind, address))
    row = Channel(unit_id=unit_id, kind=kind, address=address, secret=secrets.token_urlsafe(32) if kind == "webhook" else None,
                  created_by=acting_username(), created_at=uow.clock.now())
    uow.session.add(row)
    return row


async def channels(uow: UnitOfWork, unit_id: str) -> list[Channel]:
    query = select(Channel).where(Channel.unit_id == unit_id).order_by(Channel.created_at)
    return list((await uow.session.execute(query)).scalars())


async def deliveries(uow: UnitOfWork, unit_id: str) -> list[tuple[Delivery, Channel]]:
    query = (select(Delivery, Channel).join(Channel, Channel.id == Delivery.channel_id).where(Channel.unit_id == unit_id)
             .order_by(Delivery.next_attempt_at.desc()))
    return list((await uow.session.execute(query)).all())


async def notice(uow: UnitOfWork, **fields: Any) -> Notification:
    """Write a notice to the inbox and, for a unit's own inbox, a delivery per channel of the unit."""
    row = Notification(**fields)
    uow.session.add(row)
    await uow.session.flush()
    if row.audience == "unit":
        for channel in await channels(uow, row.unit_id):
            # deliveries are infrastructure: they run on real time, not the business clock
            uow.session.add(Delivery(notification_id=row.id, channel_id=channel.id, next_attempt_at=datetime.now(timezone.utc)))
    return row


def _body(note: Notification) -> dict[str, Any]:
    return {"notification_id": str(note.id), "unit_id": note.unit_id, "project_id": note.project_id, "event_type": note.event_type,
            "title": note.title, "title_zh": note.title_zh, "rule_ids": list(note.rule_ids),
            "due_on": note.due_on.isoformat() if note.due_on else None, "created_at": note.created_at.isoformat()}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


async def _send(settings: Any, channel: Channel, note: Notification, now: datetime) -> None:
    if channel.kind == "webhook":
        body = json.dumps(_body(note), ensure_ascii=False).encode("utf-8")
        stamp = str(int(now.timestamp()))
        headers = {"content-type": "application/json", "x-govit-timestamp": stamp,
                   "x-govit-signature": signature(channel.secret or "", stamp, body), "x-govit-notification": str(note.id)}
        async with httpx.AsyncClient(timeout=settings.delivery_timeout_seconds) as client:
            response = await client.post(channel.address, content=body, headers=headers)
        if response.status_code >= 300:
            raise RuntimeError(f"webhook answered {response.status_code}")
        return
    if not settings.smtp_host:
        raise RuntimeError("no SMTP server is configured (NOTIFY_SMTP_HOST)")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_sender, channel.address, f"{note.title_zh} / {note.title}"
    message.set_content(f"{note.title_zh}\n{note.title}\n\n规则 Rules: {', '.join(note.rule_ids)}\n"
                        f"项目 Project: {note.project_id or '—'}\n期限 Due: {note.due_on or '—'}\n")

    def send() -> None:
        security = getattr(settings, "smtp_security", "none")
        context = ssl.create_default_context()
        opener = smtplib.SMTP_SSL if security == "tls" else smtplib.SMTP
        extra = {"context": context} if security == "tls" else {}
        with opener(settings.smtp_host, settings.smtp_port, timeout=settings.delivery_timeout_seconds, **extra) as smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if getattr(settings, "smtp_username", None):
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_username, password)
            smtp.send_message(message)
    await asyncio.to_thread(send)


async def dispatch(uow: UnitOfWork, settings: Any, limit: int = 20) -> int:
    """Send the deliveries that are due; returns how many were tried."""
    now = datetime.now(timezone.utc)
    query = (select(Delivery, Channel, Notification).join(Channel, Channel.id == Delivery.channel_id)
             .join(Notification, Notification.id == Delivery.notification_id)
             .where(Delivery.delivered_at.is_(None), Delivery.failed_at.is_(None), Delivery.next_attempt_at <= now)
             .order_by(Delivery.next_attempt_at).limit(limit).with_for_update(of=Delivery, skip_locked=True))
    rows = (await uow.session.execute(query)).all()
    for delivery, channel, note in rows:
        delivery.attempts += 1
        try:
            await _send(settings, channel, note, now)
        except Exception as exc:  # any channel failure is retried, never lost
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if delivery.attempts >= settings.delivery_max_attempts:
                delivery.failed_at = now
                log.warning("delivery %s to %s failed for good: %s", delivery.id, channel.kind, delivery.last_error)
            else:
                delay = min(settings.delivery_backoff_seconds * 2 ** (delivery.attempts - 1), 3600)
                delivery.next_attempt_at = now + timedelta(seconds=delay)
        else:
            delivery.delivered_at, delivery.last_error = now, None
    return len(rows)


async def dispatcher(runtime: Any) -> None:
    while True:
        async with runtime.units() as uow:
            tried = await dispatch(uow, runtime.settings)
            await uow.commit()
        if not tried:
            await asyncio.sleep(runtime.settings.deadline_poll_seconds)
