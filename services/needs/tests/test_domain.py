"""Pure rules: MAN, the needs status machine, protection period, SLA, satisfaction."""
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from guanxi_needs.domain.balance import (
    TOUCH_KINDS,
    BalanceKind,
    apply,
    expectation_kind,
    signed_points,
)
from guanxi_needs.domain.commitments import CommitmentStatus, kept_late
from guanxi_needs.domain.commitments import is_overdue as commitment_overdue
from guanxi_needs.domain.complaint_rules import ComplaintStatus, Severity, due_at, is_overdue
from guanxi_needs.domain.experience import Anchor, Touchpoint, due_dates
from guanxi_needs.domain.experience import Stage as MapStage
from guanxi_needs.domain.man import ManAction, recommend
from guanxi_needs.domain.need_flow import IllegalTransition, NeedStatus, check_transition
from guanxi_needs.domain.opportunity_rules import Stage, in_pool, protection_until
from guanxi_needs.domain.products import Lifecycle, check_lifecycle, name_key
from guanxi_needs.domain.satisfaction import perception, satisfaction_index
from guanxi_needs.domain.selling import Evidence, EvidenceKind, need_points, rank
from guanxi_needs.schemas.balance import WeightsUpdate

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("money", "authority", "need", "action"), [
    (True, True, True, ManAction.ideal_prospect),
    (True, True, False, ManAction.contact_and_sell),
    (True, False, True, ManAction.find_authority),
    (False, True, True, ManAction.check_finances),
    (False, False, True, ManAction.nurture),
    (False, True, False, ManAction.nurture),
    (True, False, False, ManAction.nurture),
    (False, False, False, ManAction.not_a_customer),
])
def test_man_table_all_eight_combinations(money, authority, need, action):
    assert recommend(money=money, authority=authority, need=need) == action


@pytest.mark.parametrize(("path"), [
    [NeedStatus.collected, NeedStatus.classified, NeedStatus.analysed, NeedStatus.accepted,
     NeedStatus.fulfilled],
    [NeedStatus.collected, NeedStatus.classified, NeedStatus.analysed, NeedStatus.planned,
     NeedStatus.accepted],
    [NeedStatus.collected, NeedStatus.rejected],
])
def test_need_paths_through_the_three_layers(path):
    for current, target in itertools.pairwise(path):
        check_transition(current, target, feedback="we will ship it in 2027")


def test_skipping_a_layer_is_refused_with_the_allowed_steps():
    with pytest.raises(IllegalTransition, match=r"from collected to accepted.*classified"):
        check_transition(NeedStatus.collected, NeedStatus.accepted, feedback="yes")


def test_final_states_allow_nothing():
    with pytest.raises(IllegalTransition, match="none \\(final\\)"):
        check_transition(NeedStatus.rejected, NeedStatus.classified, feedback=None)


def test_a_decision_needs_feedback_for_the_customer():
    with pytest.raises(IllegalTransition, match="feedback"):
        check_transition(NeedStatus.analysed, NeedStatus.rejected, feedback=None)


def test_protection_period_and_pool():
    until = protection_until(T0, 30)
    assert until == T0 + timedelta(days=30)
    assert not in_pool(owner_id="u1", stage=Stage.qualified, protected_until=until,
                       now=until - timedelta(seconds=1))
    assert in_pool(owner_id="u1", stage=Stage.qualified, protected_until=until, now=until)
    assert in_pool(owner_id=None, stage=Stage.qualified, protected_until=until, now=T0)
    assert not in_pool(owner_id=None, stage=Stage.won, protected_until=until, now=until)


def test_sla_due_and_overdue():
    due = due_at(T0, Severity.high, {"high": 24})
    assert due == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert not is_overdue(status=ComplaintStatus.opened, due=due, now=due)
    assert is_overdue(status=ComplaintStatus.investigating, due=due,
                      now=due + timedelta(minutes=1))
    assert not is_overdue(status=ComplaintStatus.resolved, due=due, now=due + timedelta(days=9))


@pytest.mark.parametrize(("expected", "experienced", "index", "level"), [
    ("80", "60", "75.0", "dissatisfied"),
    ("80", "80", "100.0", "satisfied"),
    ("80", "88", "110.0", "delighted"),
    ("50", "60", "120.0", "moved"),
])
def test_satisfaction_index(expected, experienced, index, level):
    value = satisfaction_index(expected=Decimal(expected), experienced=Decimal(experienced))
    assert value == Decimal(index)
    assert perception(value) == level


def test_launch_ranking_sums_evidence_then_prefers_fresher_evidence():
    assert need_points(urgency="urgent", restrictive=False) == 5
    assert need_points(urgency="urgent", restrictive=True) == 1
    evidence = [Evidence("a", EvidenceKind.need, 3, date(2026, 1, 1)),
                Evidence("a", EvidenceKind.same_line, 2, date(2026, 3, 1)),
                Evidence("b", EvidenceKind.bought_this, 4, date(2026, 2, 1)),
                Evidence("b", EvidenceKind.need, 1, date(2026, 1, 1)),
                Evidence("c", EvidenceKind.related, 3, date(2026, 5, 1))]
    # a and b both score 5: a's latest evidence (March) is fresher than b's (February)
    assert rank(evidence) == [("a", 5, date(2026, 3, 1)), ("b", 5, date(2026, 2, 1)),
                              ("c", 3, date(2026, 5, 1))]


def test_product_lifecycle_and_name_matching():
    assert check_lifecycle(Lifecycle.new, Lifecycle.current) is None
    assert check_lifecycle(Lifecycle.retired, Lifecycle.current) is None
    assert check_lifecycle(Lifecycle.current, Lifecycle.new) == "A current product cannot become new"
    assert name_key("  4000G   USB Drive ") == name_key("4000g usb drive") == "4000g usb drive"


def test_balance_points_follow_the_policy_and_the_kind_decides_the_sign():
    weights = {"greeting": Decimal("2.5"), "complaint": Decimal(5)}
    assert signed_points(BalanceKind.greeting, weights) == Decimal("2.5")
    assert signed_points(BalanceKind.complaint, weights) == Decimal(-5)
    assert signed_points(BalanceKind.commitment_broken, {}) == Decimal(-5)  # the default
    assert signed_points(BalanceKind.visit, {}) == Decimal(3)
    # a greeting, a visit, a complaint, a broken promise: 2.5 + 3 - 5 - 5 = -4.5, overdrawn
    steps = [signed_points(k, weights) for k in (BalanceKind.greeting, BalanceKind.visit,
                                                 BalanceKind.complaint,
                                                 BalanceKind.commitment_broken)]
    assert apply(Decimal(0), steps) == [Decimal("2.5"), Decimal("5.5"), Decimal("0.5"),
                                        Decimal("-4.5")]
    assert set(WeightsUpdate.model_fields) == {k.value for k in BalanceKind}


def test_expectation_checks_map_to_balance_kinds():
    assert expectation_kind(index=Decimal(120), reached=False) == BalanceKind.expectation_exceeded
    assert expectation_kind(index=Decimal(100), reached=False) == BalanceKind.expectation_met
    assert expectation_kind(index=Decimal("99.9"), reached=True) == (
        BalanceKind.satisfaction_below_100)
    assert expectation_kind(index=None, reached=True) == BalanceKind.expectation_met
    assert expectation_kind(index=None, reached=False) is None
    assert TOUCH_KINDS["message"] == BalanceKind.greeting


def test_a_promise_is_overdue_the_day_after_it_falls_due():
    due = date(2026, 12, 1)
    assert not commitment_overdue(status=CommitmentStatus.open, due_on=due, today=due)
    assert commitment_overdue(status=CommitmentStatus.open, due_on=due, today=date(2026, 12, 2))
    assert not commitment_overdue(status=CommitmentStatus.kept, due_on=due,
                                  today=date(2026, 12, 9))
    assert kept_late(due_on=due, kept_on=date(2026, 12, 2)) and not kept_late(due_on=due,
                                                                              kept_on=due)


def test_experience_touchpoints_become_due_dates_from_the_purchase_or_the_repurchase():
    touchpoints = [Touchpoint(MapStage.before, Anchor.purchase, -7),
                   Touchpoint(MapStage.during, Anchor.purchase, 2),
                   Touchpoint(MapStage.in_use, Anchor.purchase, 30),
                   Touchpoint(MapStage.in_use, Anchor.repurchase, -14),
                   Touchpoint(MapStage.after, Anchor.purchase, -3)]  # never before the purchase
    on = date(2026, 1, 31)
    assert due_dates(touchpoints, purchased_on=on, repurchase_after_days=90) == [
        (1, date(2026, 2, 2)), (2, date(2026, 3, 2)), (3, date(2026, 4, 17)),
        (4, date(2026, 1, 31))]
    assert [n for n, _ in due_dates(touchpoints, purchased_on=on,
                                    repurchase_after_days=None)] == [1, 2, 4]
