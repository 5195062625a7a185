"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-symbol alphabet (digits and capitals without I, O, S, V, Z):
1 registration authority, 2 organization type, 3–8 administrative division (6 digits),
9–17 organization code, 18 check character.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
# GB 32100-2015 weights: 3**(i) mod 31 for positions 1..17.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidCode(ValueError):
    """Raised with a Chinese message saying what is wrong with the code."""


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §5: C18 = 31 − Σ(Ci·Wi) mod 31)."""
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def validate(code: str) -> str:
    """Return the normalized code or raise InvalidCode."""
    code = normalize(code)
    if len(code) != 18:
        raise InvalidCode(f"统一社会信用代码应为18位，当前为{len(code)}位")
    bad = sorted({ch for ch in code if ch not in VALUES})
    if bad:
        raise InvalidCode(f"统一社会信用代码含有非法字符：{''.join(bad)}（不使用 I、O、S、V、Z）")
    if not code[2:8].isdigit():
        raise InvalidCode("统一社会信用代码第3–8位应为行政区划码（6位数字）")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCode(f"统一社会信用代码校验位错误：应为 {expected}，实为 {code[17]}")
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except InvalidCode:
        return False
    return True


def make(first17: str) -> str:
    """Complete 17 characters with their check character (used by the demo and tests)."""
    first17 = normalize(first17)
    return first17 + check_character(first17)
