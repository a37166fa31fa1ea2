"""The MAN rule (Money 购买能力, Authority 决定权, Need 需求): what to do with a prospect."""
from __future__ import annotations

from enum import StrEnum


class ManAction(StrEnum):
    ideal_prospect = "ideal_prospect"            # M+A+N
    contact_and_sell = "contact_and_sell"        # M+A+n: good selling can win
    find_authority = "find_authority"            # M+a+N: find who decides
    check_finances = "check_finances"            # m+A+N: check credit, offer financing
    nurture = "nurture"                          # m+a+N, m+A+n, M+a+n: observe, long term
    not_a_customer = "not_a_customer"            # m+a+n: stop


ADVICE = {
    ManAction.ideal_prospect: "Ideal prospect: contact now.",
    ManAction.contact_and_sell: "Contact: good selling can create the need.",
    ManAction.find_authority: "Contact, and find the person who has the authority to decide.",
    ManAction.check_finances: "Contact, check finances and credit, offer financing.",
    ManAction.nurture: "Contact, observe and nurture over the long term.",
    ManAction.not_a_customer: "Not a customer for now: stop spending effort.",
}

_TABLE = {
    (True, True, True): ManAction.ideal_prospect,
    (True, True, False): ManAction.contact_and_sell,
    (True, False, True): ManAction.find_authority,
    (False, True, True): ManAction.check_finances,
    (False, False, True): ManAction.nurture,
    (False, True, False): ManAction.nurture,
    (True, False, False): ManAction.nurture,
    (False, False, False): ManAction.not_a_customer,
}


def recommend(*, money: bool, authority: bool, need: bool) -> ManAction:
    """The recommended action for one of the eight MAN combinations (DOMAIN.md section 4)."""
    return _TABLE[(money, authority, need)]
