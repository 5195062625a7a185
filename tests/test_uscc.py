"""Unified social credit code (GB 32100-2015) and ID-card (GB 11643) check characters."""

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from feidi.lib import idcard
from feidi.lib import uscc

# Published codes of well-known organizations (the check characters are part of the public record).
KNOWN_VALID = [
    "91350100M000100Y43",  # a standard example code used in GB 32100 explanations
    "91110108551385082Q",
    "91440300708461136T",
    "914403001922038216",
]

# the first 16 characters of a well-formed code: authority and its category, a division, a body
first17 = st.builds(
    lambda pair, division, body: pair + division + body + "0",
    st.sampled_from([a + c for a, cats in uscc.CATEGORIES.items() for c in cats]),
    st.sampled_from(["361100", "361102", "310115", "110108", "440300", "429004", "100000", "650000"]),
    st.text(alphabet=uscc.ALPHABET, min_size=8, max_size=8),
)


def test_known_codes_are_valid():
    for code in KNOWN_VALID:
        assert uscc.is_valid(code), code


def test_messages_say_what_is_wrong():
    assert "18位" in _error("91350100M000100Y4")
    assert "非法字符" in _error("91350100M000100YI3")
    assert "校验位" in _error("91350100M000100Y44")
    assert "登记管理部门" in _error("000000000000000000")
    assert "机构类别" in _error(uscc.make("97350100M000100Y"))
    assert "省级代码" in _error(uscc.make("91990100M000100Y"))
    assert "组织机构代码" in _error("91350100M000100Y5" + uscc.check_character("91350100M000100Y5"))


def test_the_organization_code_check_follows_gb_11714():
    # the standard's worked example: D2143569 → X; and bodies of the published codes above
    assert uscc.org_check_character("D2143569") == "X"
    for code in KNOWN_VALID:
        assert uscc.org_check_character(code[8:16]) == code[16]


def test_codes_sealed_with_a_right_check_character_but_a_wrong_structure_are_refused():
    import random

    from tests.hostile import forged_codes

    rng = random.Random()
    for _ in range(200):
        for code, part in forged_codes(rng):
            assert code[17] == uscc.check_character(code[:17])
            assert not uscc.is_valid(code), (code, part)


def _error(code):
    try:
        uscc.validate(code)
    except uscc.InvalidCode as exc:
        return str(exc)
    raise AssertionError(f"{code} accepted")


@given(first17)
def test_a_completed_code_is_valid_and_lower_case_is_normalized(prefix):
    code = uscc.make(prefix)
    assert uscc.validate(code.lower()) == code


@given(first17, st.integers(min_value=0, max_value=17), st.sampled_from(uscc.ALPHABET))
@settings(max_examples=300)
def test_any_single_substitution_is_detected(prefix, position, replacement):
    code = uscc.make(prefix)
    corrupted = code[:position] + replacement + code[position + 1:]
    if corrupted != code:
        # A weighted sum mod the prime 31 with weights coprime to 31 catches every single change.
        assert not uscc.is_valid(corrupted)


@given(first17, st.integers(min_value=0, max_value=16))
def test_adjacent_transpositions_are_detected(prefix, position):
    code = uscc.make(prefix)
    a, b = code[position], code[position + 1]
    swapped = code[:position] + b + a + code[position + 2:]
    if a != b and swapped[2:8].isdigit():
        assert not uscc.is_valid(swapped)


@given(st.text(min_size=0, max_size=30))
def test_garbage_never_crashes(text):
    assert uscc.is_valid(text) in (True, False)


def test_id_card_check_character():
    assert idcard.validate("11010519491231002X") == "11010519491231002X"  # the standard's example
    assert idcard.check_character("11010519491231002") == "X"


def test_industry_labels_come_from_the_editable_dictionary(db):
    from feidi.core.models import DictItem
    from feidi.registry.models import Organization

    org = Organization(industry_code="C3825")
    assert org.industry_label == "电气机械和器材制造业"
    item = DictItem.objects.get(type__code="industry", code="38")
    item.label = "电气机械和器材制造业（含光伏设备）"
    item.save()
    assert org.industry_label == "电气机械和器材制造业（含光伏设备）"
    assert DictItem.objects.filter(type__code="industry").count() == 97
