"""Greetings on schedule, never twice, with consent and quiet hours respected (frozen clock)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_spring_festival_greeting_goes_out_on_2027_02_06(api, client):
    api.customer()
    api.contact()
    template = client.post("/v1/templates", json={
        "name": "new year", "body": {"zh": "{name}，新春快乐！", "en": "Happy New Year {name}"}})
    assert template.status_code == 201, template.text
    api.rule(trigger="holiday", occasion="spring_festival", channel="log",
         template_id=template.json()["id"])
    with time_machine.travel(at(2027, 2, 5, 10), tick=False):
        assert api.run("2027-02-05")["created"] == 0
    with time_machine.travel(at(2027, 2, 6, 10), tick=False):
        result = api.run("2027-02-06")
    assert result["created"] == 1 and result["sent"] == {"sent": 1}
    [message] = api.messages()
    assert message["status"] == "sent" and message["occurs_on"] == "2027-02-06"
    assert message["body"] == "Contact p1，新春快乐！"


def test_lunar_birthday_of_the_15th_of_the_8th_month_lands_on_2027_09_15(api, client):
    api.customer()
    api.contact("p1", birthday_calendar="lunar", lunar_birthday_month=8,
            lunar_birthday_day=15, lunar_birthday_leap=False)
    api.contact("p2", birthday_calendar="solar", birthday="1980-09-14")
    api.rule(trigger="birthday", channel="log")
    with time_machine.travel(at(2027, 9, 15, 10), tick=False):
        assert api.run("2027-09-15")["created"] == 1
    assert [m["contact_id"] for m in api.messages()] == ["p1"]


def test_a_rule_that_runs_twice_sends_once(api, client, provider):
    api.customer()
    api.contact()
    api.rule(trigger="holiday", occasion="mid_autumn", channel="sms")
    with time_machine.travel(at(2027, 9, 15, 10), tick=False):
        first, second = api.run("2027-09-15"), api.run("2027-09-15")
    assert (first["created"], second["created"]) == (1, 0)
    assert len(provider.sent) == 1 and len(api.messages()) == 1


def test_sms_opt_out_blocks_the_send_and_logs_why(api, client, provider):
    api.customer()
    api.contact()
    resp = client.put("/v1/consents", json={"contact_id": "p1", "channel": "sms",
                                            "granted": False, "source": "replied TD"})
    assert resp.status_code == 200, resp.text
    api.rule(trigger="holiday", occasion="mid_autumn", channel="sms")
    with time_machine.travel(at(2027, 9, 15, 10), tick=False):
        assert api.run("2027-09-15")["sent"] == {"blocked": 1}
    assert provider.sent == []
    [message] = api.messages(status="blocked")
    assert message["reason"] == "contact opted out of sms"


def test_quiet_hours_defer_a_send_until_morning(api, client, provider):
    api.customer()
    api.contact()
    api.rule(trigger="holiday", occasion="mid_autumn", channel="wechat")
    api.contact(wechat="wx-p1")
    with time_machine.travel(at(2027, 9, 15, 22), tick=False):
        assert api.run("2027-09-15")["sent"] == {"deferred": 1}
        [message] = api.messages()
        assert message["status"] == "pending" and "quiet hours" in message["reason"]
        assert message["send_after"].startswith("2027-09-16T01:00:00")  # 09:00 in Shanghai
    with time_machine.travel(at(2027, 9, 16, 9, 1), tick=False):
        assert api.run("2027-09-16")["sent"] == {"sent": 1}
    assert provider.sent[0]["to"] == "wx-p1"


def test_frequency_cap_allows_one_greeting_a_day(api, client):
    api.customer()
    api.contact()
    api.rule(trigger="holiday", occasion="national_day", channel="log")
    api.rule(trigger="birthday", channel="log")
    api.contact(birthday_calendar="solar", birthday="1980-10-01")
    with time_machine.travel(at(2027, 10, 1, 10), tick=False):
        assert api.run("2027-10-01")["sent"] == {"sent": 1, "blocked": 1}
    [blocked] = api.messages(status="blocked")
    assert blocked["reason"] == "frequency cap: already greeted today"


def test_mass_greeting_to_a_group_and_thanks_after_a_purchase(api, client):
    api.customer("c1", groups=["key"])
    api.customer("c2", groups=["ordinary"])
    api.contact("p1", "c1")
    api.contact("p2", "c2")
    resp = client.post("/v1/messages/mass", json={
        "channel": "log", "occasion": "company_party", "audience": {"groups": ["key"]},
        "on": "2027-03-01"})
    assert resp.status_code == 202 and resp.json() == {"queued": 1}, resp.text
    api.rule(trigger="purchase_thanks", channel="call")
    api.rule(trigger="referrer_thanks", channel="call")
    with time_machine.travel(at(2027, 3, 2, 10), tick=False):  # thanked from the event
        api.feed("purchase.recorded", {"id": "o1", "customer_id": "c1", "amount": "100.00",
                                       "purchased_on": "2027-03-02", "currency": "CNY",
                                       "referrer_customer_id": "c2"})
    tasks = client.get("/v1/tasks").json()["items"]
    assert sorted(t["customer_id"] for t in tasks) == ["c1", "c2"]
