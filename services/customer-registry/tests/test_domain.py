"""Pure registry rules: credit codes, phones, names, contact-file parsing."""
from datetime import date

import pytest

from guanxi_registry.domain.credit_code import check_character, credit_code_problem
from guanxi_registry.domain.identity import InvalidValue, name_key, normalise_phone
from guanxi_registry.domain.importing import parse


@pytest.mark.parametrize("code", ["91440300708461136T", "91350100M000100Y43",
                                  "911100001000080343"])
def test_real_credit_codes_are_valid(code):
    assert credit_code_problem(code) is None


def test_credit_code_check_character_and_alphabet():
    assert check_character("91440300708461136") == "T"
    assert "check character should be T" in credit_code_problem("91440300708461136X")
    assert "not allowed" in credit_code_problem("9144030070846113IO")
    assert credit_code_problem("914403") == "must have 18 characters"


@pytest.mark.parametrize(("raw", "e164"), [("138 0013 8000", "+8613800138000"),
                                           ("+86-138-0013-8000", "+8613800138000"),
                                           ("008613800138000", "+8613800138000"),
                                           ("010 6552 9988", "+861065529988"),
                                           ("+1 650 253 0000", "+16502530000")])
def test_phones_normalise_to_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "abc", "+86 999"])
def test_impossible_phones_are_refused(raw):
    with pytest.raises(InvalidValue):
        normalise_phone(raw)


def test_similar_company_names_share_a_key():
    assert name_key("华为技术有限公司") == name_key("华为技术 有限公司") == "华为技术"
    assert name_key("ACME Co., Ltd.") == name_key("acme") == "acme"


def test_google_csv_in_gbk_is_read():
    text = ("Name,Phone 1 - Value,E-mail 1 - Value,Organization 1 - Name,Birthday\n"
            "王芳,138 0013 8000,wang@example.cn,华为技术有限公司,1988-08-15\n"
            "李雷,12345,,,\n")
    rows = parse(text.encode("gbk"), "csv")
    assert rows[0].name == "王芳" and rows[0].organisation == "华为技术有限公司"
    assert rows[0].phones == [("mobile", "+8613800138000")]
    assert rows[0].birthday == date(1988, 8, 15)
    assert rows[1].error and "not a valid phone" in rows[1].error


def test_vcard_3_and_4():
    card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nTEL;TYPE=CELL:13900139000\r\n"
            "EMAIL:zhang@example.cn\r\nBDAY:--0815\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Li Lei\r\nTEL;TYPE=work:+86 10 6552 9988\r\n"
            "ORG:Acme\r\nEND:VCARD\r\n")
    first, second = parse(card.encode(), "vcard")
    assert first.name == "张伟" and first.phones == [("mobile", "+8613900139000")]
    assert first.birthday == date(1904, 8, 15)
    assert second.phones == [("office", "+861065529988")] and second.organisation == "Acme"
