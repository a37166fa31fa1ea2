"""The flows' pure rules, with hand-computed cases."""
from datetime import UTC, date, datetime
from decimal import Decimal

from guanxi_engagement.domain import flows


def test_the_next_greeting_window():
    tz = "Asia/Shanghai"
    early = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)  # 07:30 on 2 March in Shanghai
    assert flows.greeting_send_after(early, tz, 9) == datetime(2027, 3, 2, 1, 0, tzinfo=UTC)
    late = datetime(2027, 3, 2, 6, 0, tzinfo=UTC)  # 14:00: the window is open, send now
    assert flows.greeting_send_after(late, tz, 9) == late
    # in the company's timezone: 15:30 the day before in Los Angeles, the window is open
    assert flows.greeting_send_after(early, "America/Los_Angeles", 9) == early
    assert flows.greeting_send_after(datetime(2027, 3, 2, 14, 0, tzinfo=UTC),
                                     "America/Los_Angeles", 9) == datetime(
        2027, 3, 2, 17, 0, tzinfo=UTC)  # 06:00 there -> 09:00 PST


def test_how_late_a_fact_may_be():
    today = date(2027, 3, 2)
    assert flows.is_recent(date(2027, 2, 16), today, 14)
    assert not flows.is_recent(date(2027, 2, 15), today, 14)
    assert flows.is_recent(date(2027, 3, 3), today, 14)  # tomorrow in another timezone
    assert not flows.is_recent(date(2027, 3, 4), today, 14)
    assert flows.is_recent(today, today, 0) and not flows.is_recent(date(2027, 3, 1), today, 0)


def test_satisfaction_index():
    assert flows.satisfaction_index("8", "9") == Decimal("112.5")
    assert flows.satisfaction_index("5", "5") == Decimal(100)
    assert flows.satisfaction_index("9", "8") < flows.SATISFIED_FROM
    assert flows.satisfaction_index("0", "5") is None
    assert flows.satisfaction_index("x", "5") is None
    assert flows.satisfaction_index(None, "5") is None
    assert flows.satisfaction_index("NaN", "5") is None


def test_man_advice_tasks():
    today = date(2027, 3, 2)
    plan = dict(title="ERP", today=today, nurture_every_days=30, nurture_touches=3)
    [find] = flows.man_tasks(recommendation="find_authority", **plan)
    assert (find.title, find.due_on) == ("Find the decision maker: ERP", today)
    [money] = flows.man_tasks(recommendation="check_finances", **plan)
    assert money.title.startswith("Check credit and financing")
    nurture = flows.man_tasks(recommendation="nurture", **plan)
    assert [t.due_on for t in nurture] == [date(2027, 3, 2), date(2027, 4, 1),
                                           date(2027, 5, 1)]
    assert nurture[2].title.startswith("Nurture (3 of 3)")
    assert flows.man_tasks(recommendation="not_a_customer", **plan) == []
    assert len(flows.man_tasks(recommendation="ideal_prospect", **plan)) == 1


def test_channel_choice_respects_refusals_and_addresses():
    prefs = ["wechat", "sms", "email"]
    assert flows.pick_channel(prefs, {"wechat": "wx", "sms": "138"}, set()) == "wechat"
    assert flows.pick_channel(prefs, {"wechat": "wx", "sms": "138"}, {"wechat"}) == "sms"
    assert flows.pick_channel(prefs, {"email": "a@b.c"}, set()) == "email"
    assert flows.pick_channel(prefs, {}, set()) == "wechat"  # kept as blocked, with why
    assert flows.pick_channel(["email", "log"], {}, set()) == "log"


def test_titles():
    keep, successor = flows.departure_titles(contact="王总", customer="华为", went_to=None,
                                             role=None, job_title=None)
    assert keep == "送一程: keep in touch with 王总 at their new company"
    assert successor == "Find the successor of 王总 at 华为"
    assert flows.at_risk_title("华为", []) == "Revisit 华为: at risk (no reason given)"
    assert len(flows.at_risk_title("x", ["y" * 400])) == 300
    assert flows.goal_report(goal="上线", goal_kind="single", stage_no=None,
                             reached_on="2027-03-02", result=None) == \
        "Progress report: '上线' was reached on 2027-03-02."
