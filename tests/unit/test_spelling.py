"""One typo between two words (kbqa.text.spelling)."""
import pytest

from kbqa.text.spelling import one_edit


@pytest.mark.parametrize("a, b, near", [
    ("garry", "garyy", True), ("zhuqbs", "zhuqibs", True), ("zhuqbis", "zhuqibs", True), ("zhuqibs", "zhuqibs", True),
    ("euraka", "eureka", True), ("zhuqsbi", "zhuqibs", False), ("garyyyy", "garyy", False), ("abc", "xyz", False)])
def test_one_insertion_deletion_substitution_or_swap(a, b, near):
    assert one_edit(a, b) is near and one_edit(b, a) is near


@pytest.mark.parametrize("token, key, near", [
    ("stephen99", "steven99", True),  # two edits, the handle's number the same
    ("steven88", "steven99", False),  # another number
    ("stephanie99", "steven99", False),  # more than two edits
    ("garry", "garyy", True), ("zhuqi", "zhuqibs", True),  # one typo; cut short
    ("homeless", "nameless", False),  # two edits, no number: another word
    ("xiaopin", "xiaoping378", True),  # the letters alone, one typo off
    ("seven", "steven99", False), ("stevens", "steven99", True),  # short words are words, not the handle's letters
])
def test_a_handle_with_its_number_forgives_two_edits(token, key, near):
    from kbqa.text.spelling import near_handle
    assert near_handle(token, key) is near
