"""Chinese patent numbers: the check character of CNIPA application numbers, on published
examples, and the form errors a user sees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from feidi.lib import patent
from feidi.techmarket.models import validate_patents


@pytest.mark.parametrize(("text", "normal"), [
    # 2×2+0×3+1×4+7×5+1×6+0×7+6×8+0×9+1×2+8×3+6×4+2×5 = 157 = 14×11 + 3
    ("201710601862.3", "ZL201710601862.3"),
    ("ZL 2017 1 0601862.3", "ZL201710601862.3"),
    ("CN201710601862.3", "ZL201710601862.3"),
    # before October 2003, eight digits: 9×2+7×3+1×4+0×5+1×6+7×7+6×8+5×9 = 191 = 17×11 + 4
    ("97101765.4", "ZL97101765.4"),
    # 9×2+5×3+1×4+1×5+5×6+6×7+0×8+8×9 = 186 = 16×11 + 10 → X
    ("ZL95115608.X", "ZL95115608.X"),
    ("zl95115608.x", "ZL95115608.X"),
])
def test_it_accepts_published_numbers(text, normal):
    assert patent.normalize(text) == normal


@pytest.mark.parametrize(("text", "why"), [
    ("201710601862.4", "校验位应为 3"),
    ("201740601862.3", "类型位"),
    ("197710601862.0", "年份"),
    ("20171060186.3", "不是有效的专利号"),  # eleven digits: neither shape
    ("US9876543B2", "不是有效的专利号"),
    ("", "不是有效的专利号"),
])
def test_it_refuses_bad_numbers_with_the_reason(text, why):
    with pytest.raises(patent.PatentNumberError, match=why):
        patent.normalize(text)


@given(st.integers(min_value=1986, max_value=2099), st.sampled_from("12389"), st.integers(0, 9_999_999))
def test_made_numbers_round_trip_and_one_changed_digit_is_caught(year, kind, serial):
    digits = f"{year}{kind}{serial:07d}"
    number = patent.make(digits)
    assert patent.normalize(number) == number
    # a changed serial digit changes Σ by (d' − d) × w with w in 2…9, never a multiple of 11
    last = int(digits[-1])
    wrong = patent.make(digits)[:-3] + str((last + 1) % 10) + number[-2:]
    with pytest.raises(patent.PatentNumberError):
        patent.normalize(wrong)


def test_the_field_lists_every_bad_number():
    with pytest.raises(ValidationError) as caught:
        validate_patents("ZL201710601862.3\nZL201710601862.4；95115608.1")
    messages = caught.value.messages
    assert len(messages) == 2 and "校验位应为 3" in messages[0] and "校验位应为 X" in messages[1]
    validate_patents("ZL201710601862.3, 97101765.4")  # good ones pass
    assert patent.kind_of("ZL201710601862.3") == "发明"
