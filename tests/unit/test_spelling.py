"""One typo between two words (kbqa.text.spelling)."""
import pytest

from kbqa.text.spelling import one_edit


@pytest.mark.parametrize("a, b, near", [
    ("garry", "garyy", True), ("zhuqbs", "zhuqibs", True), ("zhuqbis", "zhuqibs", True), ("zhuqibs", "zhuqibs", True),
    ("euraka", "eureka", True), ("zhuqsbi", "zhuqibs", False), ("garyyyy", "garyy", False), ("abc", "xyz", False)])
def test_one_insertion_deletion_substitution_or_swap(a, b, near):
    assert one_edit(a, b) is near and one_edit(b, a) is near
