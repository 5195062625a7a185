"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-symbol alphabet (digits and capitals without I, O, S, V, Z):
1 registration authority (登记管理部门代码), 2 organization category (机构类别代码, which the
authority defines), 3–8 administrative division (GB/T 2260: a province, its prefecture and county
digits), 9–17 the organization code (GB 11714: eight characters and their own mod-11 check
character), 18 the check character over all 17 (mod 31).

Every part is checked, not only the last character: a code made of zeros, or one whose check
character was computed over a made-up body, is refused with what is wrong. The division is checked
by its structure (an existing province; no county under a missing prefecture) rather than against
one year's division list, because a code keeps the division of the year it was issued.
"""

from __future__ import annotations

import functools
import unicodedata

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
# GB 32100-2015 weights: 3**(i) mod 31 for positions 1..17.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# GB 32100-2015 Appendix A: registration authorities and the categories each defines.
CATEGORIES = {
    "1": {"1": _("机关"), "2": _("事业单位"), "3": _("中央编办直接管理机构编制的群众团体"), "9": _("其他")},
    "2": {"1": _("外国常驻新闻机构"), "9": _("其他")},
    "3": {"1": _("律师执业机构"), "2": _("公证处"), "3": _("基层法律服务所"), "4": _("司法鉴定机构"), "5": _("仲裁委员会"),
          "9": _("其他")},
    "4": {"1": _("外国在华文化中心"), "9": _("其他")},
    "5": {"1": _("社会团体"), "2": _("民办非企业单位"), "3": _("基金会"), "9": _("其他")},
    "6": {"1": _("外国旅游部门常驻代表机构"), "2": _("港澳台地区旅游部门常驻内地（大陆）代表机构"), "9": _("其他")},
    "7": {"1": _("宗教活动场所"), "2": _("宗教院校"), "9": _("其他")},
    "8": {"1": _("基层工会"), "9": _("其他")},
    "9": {"1": _("企业"), "2": _("个体工商户"), "3": _("农民专业合作社")},
    "A": {"1": _("军队事业单位"), "9": _("其他")},
    "N": {"1": _("组级集体经济组织"), "2": _("村级集体经济组织"), "3": _("乡镇级集体经济组织"), "9": _("其他")},
    "Y": {"1": _("其他")},
}
AUTHORITIES = {"1": _("机构编制"), "2": _("外交"), "3": _("司法行政"), "4": _("文化"), "5": _("民政"), "6": _("旅游"),
               "7": _("宗教"),
               "8": _("工会"), "9": _("市场监督管理（工商）"), "A": _("中央军委改革和编制办公室"), "N": _("农业农村"), "Y": _("其他")}
# GB/T 2260 province-level codes; 100000 stands for the whole country (national registrations).
PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
                      "61 62 63 64 65 71 81 82".split())
# GB 11714-1997: the organization code's check character over its first eight characters.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class InvalidCode(ValueError):
    """Raised with a Chinese message saying what is wrong with the code."""


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015 §5: C18 = 31 − Σ(Ci·Wi) mod 31)."""
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(body8: str) -> str:
    """GB 11714's check character for the eight-character body: C9 = 11 − Σ(Ci·Wi) mod 11, digits
    counting as themselves and letters A–Z as 10–35; 10 is written X, 11 is written 0."""
    total = sum(int(ch, 36) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def division_error(division: str) -> str | None:
    """What is wrong with a six-digit GB/T 2260 code as its structure shows, or None."""
    if not division.isdigit() or len(division) != 6:
        return gettext("第3–8位应为行政区划码（6位数字）")
    if division == "100000":
        return None
    if division[:2] not in PROVINCES:
        return gettext("第3–8位行政区划码“{division}”的省级代码“{value}”不存在").format(
            division=division, value=division[:2])
    if division[2:4] == "00" and division[4:] != "00":
        return gettext("第3–8位行政区划码“{division}”有县级代码却没有地级代码").format(division=division)
    return None


# what a pasted code carries that is no part of it: zero-width characters, the BOM, a soft hyphen
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")


@functools.lru_cache(maxsize=4096)  # a form, its model and the importer each ask for the same code
def normalize(code: str) -> str:
    """A code as typed or pasted → its 18 characters: full-width folded, upper case, every space
    (NBSP, the ideographic space, line breaks, tabs) and invisible character dropped wherever it
    stands — before its length is judged."""
    text = unicodedata.normalize("NFKC", str(code or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch not in INVISIBLE).upper()


def validate(code: str) -> str:
    """Return the normalized code or raise InvalidCode."""
    code = normalize(code)
    if len(code) != 18:
        raise InvalidCode(gettext("统一社会信用代码应为18位，当前为{len}位").format(len=len(code)))
    bad = sorted({ch for ch in code if ch not in VALUES})
    if bad:
        raise InvalidCode(gettext("统一社会信用代码含有非法字符：{join}（不使用 I、O、S、V、Z）").format(join=''.join(bad)))
    if code[0] not in CATEGORIES:
        raise InvalidCode(gettext("统一社会信用代码第1位“{value}”不是登记管理部门代码（应为 1–9、A、N 或 Y）").format(value=code[0]))
    if code[1] not in CATEGORIES[code[0]]:
        allowed = "、".join(f"{k}（{v}）" for k, v in CATEGORIES[code[0]].items())
        raise InvalidCode(gettext("统一社会信用代码第2位“{value}”不是{value2}登记的机构类别（应为 {allowed}）").format(
            value=code[1], value2=AUTHORITIES[code[0]], allowed=allowed))
    problem = division_error(code[2:8])
    if problem:
        raise InvalidCode(gettext("统一社会信用代码{problem}").format(problem=problem))
    org_expected = org_check_character(code[8:16])
    if code[16] != org_expected:
        raise InvalidCode(gettext("统一社会信用代码第9–17位不是有效的组织机构代码：其校验位应为 {org_expected}，实为 {value}").format(
            org_expected=org_expected, value=code[16]))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCode(gettext("统一社会信用代码校验位错误：应为 {expected}，实为 {value}").format(
            expected=expected, value=code[17]))
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except InvalidCode:
        return False
    return True


def make(prefix: str) -> str:
    """A valid code from its first 16 characters (authority, category, division, the organization
    code's body), completed with both check characters; a 17th character given is replaced by the
    organization code's check character (used by the demo, tests and benchmarks)."""
    first16 = normalize(prefix)[:16]
    if len(first16) != 16:
        raise ValueError(gettext("需要前16位"))
    first17 = first16 + org_check_character(first16[8:])
    return first17 + check_character(first17)
