"""Email goes over real SMTP to a server the test starts (aiosmtpd)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from guanxi_testing.fixtures import free_port


class Inbox(Sink):
    def __init__(self):
        self.mail: list = []

    async def handle_DATA(self, server, session, envelope):
        self.mail.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_birthday_email_is_delivered_by_smtp(client_with, api_of, smtp_server):
    controller, inbox = smtp_server
    with client_with(smtp_port=controller.port) as client:
        api = api_of(client)
        api.customer()
        api.contact(birthday_calendar="solar", birthday="1985-03-08", language="en")
        template = client.post("/v1/templates", json={
            "name": "birthday", "subject": {"en": "Happy birthday"},
            "body": {"zh": "{name}，生日快乐！", "en": "Happy birthday, {name}!"}}).json()
        api.rule(trigger="birthday", channel="email", template_id=template["id"])
        with time_machine.travel(datetime(2027, 3, 8, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                                 tick=False):
            assert api.run("2027-03-08")["sent"] == {"sent": 1}
    [mail] = inbox.mail
    assert mail.rcpt_tos == ["p1@example.com"]
    text = mail.content.decode()
    assert "Subject: Happy birthday" in text and "Happy birthday, Contact p1!" in text
