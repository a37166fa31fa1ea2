"""Visits done right (拜访): the course's 21 visiting mistakes as a checklist, the time split of a
plan (两分钟主题、八分钟家常) and the rule that no visit ends without a next step (mistake 21)."""
from __future__ import annotations

from dataclasses import dataclass

# (mistake number, phase, Chinese, English): the phase says when the item is checked. "before"
# items are prepared (a plan, the time, the names); "after" items are the rep's own review of how
# the visit went. The company edits its copy (visit_check); these seed it.
MISTAKES: tuple[tuple[int, str, str, str], ...] = (
    (1, "before", "没有计划：写下目标、目的和要问的问题", "No plan: write down the goal, purpose "
     "and questions"),
    (2, "after", "没有和前台调情", "No flirting with the receptionist"),
    (3, "after", "对工作人员以礼相待", "Polite to every member of staff"),
    (4, "before", "不要前呼后拥：只带需要的人", "No crowd: bring only who is needed"),
    (5, "before", "衣着得体", "Dress with care"),
    (6, "before", "预约拜访，不假装\"顺路\"", "Make an appointment; never pretend to \"drop by\""),
    (7, "before", "提前15分钟到达", "Arrive 15 minutes early"),
    (8, "after", "没有过早谈生意", "Not too commercial too soon"),
    (9, "after", "没有过早套近乎", "Not too familiar too soon"),
    (10, "after", "多听少说", "Listened more than talked"),
    (11, "after", "没有争论", "No arguing"),
    (12, "after", "不谈政治和宗教", "No politics or religion"),
    (13, "after", "没有过早推销产品", "Did not pitch the product too early"),
    (14, "after", "没有轻率油滑", "No flippancy"),
    (15, "before", "熟悉产品知识", "Know the product"),
    (16, "before", "记住对方的名字和职务", "Know everyone's name and title"),
    (17, "after", "没有打听隐私", "Did not pry into private matters"),
    (18, "after", "拜访时不接电话", "Did not answer the phone"),
    (19, "before", "设定时间限制", "Set a time limit"),
    (20, "before", "准备简短提纲，不跑题", "Prepare a short outline; stay on topic"),
    (21, "after", "会后立即安排跟进", "Schedule the follow-up right after the meeting"),
)
THANKS_STEP = ("after", "拜访后致谢", "Thank the contact after the visit")


def default_checks() -> list[dict]:
    """The seed rows of the company checklist, in the course's order, then the thank-you."""
    rows = [{"position": n, "phase": phase, "label_zh": zh, "label_en": en, "mistake": n}
            for n, phase, zh, en in MISTAKES]
    phase, zh, en = THANKS_STEP
    rows.append({"position": 22, "phase": phase, "label_zh": zh, "label_en": en,
                 "mistake": None})
    return rows


@dataclass(frozen=True)
class TimeSplit:
    """Minutes of business (主题) and small talk (家常) in a plan, and what is left unplanned."""

    business: int
    small_talk: int
    unplanned: int | None  # None when the plan has no time limit


def time_split(planned_minutes: int | None, agenda: list[dict]) -> TimeSplit:
    business = sum(t["minutes"] for t in agenda if t["kind"] == "business")
    small_talk = sum(t["minutes"] for t in agenda if t["kind"] == "small_talk")
    unplanned = None if planned_minutes is None else planned_minutes - business - small_talk
    return TimeSplit(business, small_talk, unplanned)


def agenda_problem(planned_minutes: int | None, agenda: list[dict]) -> str | None:
    """Why an agenda cannot stand: its topics take longer than the time limit."""
    split = time_split(planned_minutes, agenda)
    if split.unplanned is not None and split.unplanned < 0:
        return (f"The agenda takes {split.business + split.small_talk} minutes, more than the "
                f"planned {planned_minutes}")
    return None


def plan_warnings(planned_minutes: int | None, agenda: list[dict]) -> list[str]:
    """What the course would point out in a plan (mistakes 8, 19, 20)."""
    warnings = []
    if planned_minutes is None:
        warnings.append("No time limit (mistake 19: staying too long)")
    if not agenda:
        warnings.append("No outline (mistake 20: wandering off topic)")
    split = time_split(planned_minutes, agenda)
    if split.business > split.small_talk:
        warnings.append("More business than small talk (mistake 8: too commercial too soon; "
                        "the course's split is 2 minutes business to 8 of small talk)")
    return warnings


def overran(planned_minutes: int | None, actual_minutes: int | None) -> bool:
    return planned_minutes is not None and actual_minutes is not None \
        and actual_minutes > planned_minutes
