"""Delivery channels: email over SMTP, SMS and WeChat through an HTTP provider, and a log."""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from .settings import Settings

log = logging.getLogger("guanxi.engagement.channels")


@dataclass(frozen=True)
class Outgoing:
    to: str | None
    subject: str
    body: str
    message_id: str


class Channel(Protocol):
    def send(self, message: Outgoing) -> None: ...


class LogChannel:
    """The default: writes the message to the log (useful in development and demos)."""

    def send(self, message: Outgoing) -> None:
        log.info("message", extra={"to": message.to, "message_id": message.message_id,
                                   "body": message.body})


class SmtpChannel:
    def __init__(self, *, host: str, port: int, sender: str, timeout: float):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, message: Outgoing) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail["Message-ID"] = f"<{message.message_id}@guanxi>"
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(mail)


class HttpProviderChannel:
    """SMS or WeChat gateway: POST {to, body, message_id} as JSON; any 2xx means accepted."""

    def __init__(self, *, url: str, timeout: float, transport: httpx.BaseTransport | None = None):
        self.url, self.timeout, self.transport = url, timeout, transport

    def send(self, message: Outgoing) -> None:
        with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
            client.post(self.url, json={"to": message.to, "body": message.body,
                                        "message_id": message.message_id}).raise_for_status()


def build_channels(settings: Settings,
                   transport: httpx.BaseTransport | None = None) -> dict[str, Channel]:
    channels: dict[str, Channel] = {
        "log": LogChannel(),
        "email": SmtpChannel(host=settings.smtp_host, port=settings.smtp_port,
                             sender=settings.smtp_from, timeout=settings.smtp_timeout_seconds),
    }
    for name, url in (("sms", settings.sms_provider_url),
                      ("wechat", settings.wechat_provider_url)):
        if url:
            channels[name] = HttpProviderChannel(url=url, timeout=settings.http_timeout_seconds,
                                                 transport=transport)
    return channels
