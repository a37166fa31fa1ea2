"""The unified social credit code (统一社会信用代码, GB 32100-2015) and its check character."""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when `code` is a valid 18-character code, else what is wrong with it."""
    if len(code) != 18:
        return "must have 18 characters"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"contains characters not allowed in a credit code: {''.join(bad)}"
    if not code[2:8].isdigit():
        return "characters 3 to 8 must be the administrative division code (digits)"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character should be {expected}, not {code[17]}"
    return None


def normalise_credit_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")
