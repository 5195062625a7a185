"""Unified social credit code (GB 32100-2015) and ID-card (GB 11643) check characters."""

from hypothesis import given, settings
from hypothesis import strategies as st

from feidi.lib import idcard, uscc

# Published codes of well-known organizations (the check characters are part of the public record).
KNOWN_VALID = [
    "91350100M000100Y43",  # a standard example code used in GB 32100 explanations
    "91110108551385082Q",
    "91440300708461136T",
    "914403001922038216",
]

first17 = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit())


def test_known_codes_are_valid():
    for code in KNOWN_VALID:
        assert uscc.is_valid(code), code


def test_messages_say_what_is_wrong():
    assert "18位" in _error("91350100M000100Y4")
    assert "非法字符" in _error("91350100M000100YI3")
    assert "校验位" in _error("91350100M000100Y44")


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
