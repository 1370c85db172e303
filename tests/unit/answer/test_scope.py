"""The scope model (kbqa.answer.scope): fitting, its line on held-out folds, loading, and where it may veto."""
import json

import numpy as np
import pytest

from kbqa.answer.decide import asks_anew, outside_scope
from kbqa.answer.scope import MAX_FALSE_VETO, P_WEIGHT, ScopeModel, fit, log_odds
from kbqa.errors import KbqaError


def _data(n=400, seed=0):
    """Two clouds of 'question vectors' (4 + 3 dims) that overlap a little, in 20 groups."""
    rng = np.random.RandomState(seed)
    y = (rng.rand(n) < 0.3).astype(int)
    X = rng.randn(n, 7) + np.outer(np.where(y == 1, 1.5, -1.5), [1, 1, 0, 0, 1, 0, 0])
    return X, y, [f"file{i % 20}" for i in range(n)]


def _fit(X, y, groups, answered=None):
    answered = np.ones(len(y), dtype=bool) if answered is None else answered
    return fit(X, y, groups, (4, 3), np.zeros(len(y)), answered)


def test_fit_sets_the_line_on_held_out_folds():
    X, y, groups = _data()
    m = _fit(X, y, groups)
    assert m["dims"] == [4, 3] and len(m["weights"]) == 7 and m["n"] == 400 and m["n_in_scope"] == int(y.sum())
    assert m["p_weight"] == P_WEIGHT and m["answered_in_scope"] == int(y.sum())
    assert m["held_out_vetoed_in_scope"] <= MAX_FALSE_VETO * y.sum() + 1  # at most the allowed share, within one row
    assert m["held_out_vetoed_out_of_scope"] > 0.3 * (1 - y).sum()  # and it still refuses much of the rest
    model = ScopeModel(np.asarray(m["weights"]), m["bias"], m["line"])
    margins = np.array([model.margin(x[:4], x[4:]) for x in X])
    assert (margins[y == 1] >= 0).mean() > 0.98 and (margins[y == 0] < 0).mean() > 0.3


def test_only_answered_questions_set_the_line():
    """The in-scope questions the decision refuses anyway cannot be vetoed: the line ignores them."""
    X, y, groups = _data()
    margin = X @ np.array([1, 1, 0, 0, 1, 0, 0])
    low = (y == 1) & (margin < np.percentile(margin[y == 1], 20))  # the in-scope rows that look least in scope
    assert _fit(X, y, groups, ~low)["line"] > _fit(X, y, groups)["line"]


def test_the_fit_is_deterministic():
    X, y, groups = _data(seed=1)
    assert _fit(X, y, groups) == _fit(X, y, groups)


def test_vectors_of_another_size_never_veto():
    model = ScopeModel(np.ones(7), -100.0, 0.0)
    assert model.margin(np.ones(4), np.ones(3)) < 0
    assert model.margin(np.ones(5), np.ones(3)) == float("inf")


def test_load(tmp_path):
    path = tmp_path / "calibration.json"
    assert ScopeModel.load(path, "hybrid:x", (4, 3)) is None  # no file: no veto
    path.write_text("{not json", encoding="utf-8")
    assert ScopeModel.load(path, "hybrid:x", (4, 3)) is None
    entry = {"dims": [4, 3], "p_weight": P_WEIGHT, "weights": [0.0] * 7, "bias": -1.0, "line": 0.5}
    path.write_text(json.dumps({"models": {}, "scope": {"hybrid:x": entry}}), encoding="utf-8")
    assert ScopeModel.load(path, "hybrid:y", (4, 3)) is None  # fitted for another profile
    m = ScopeModel.load(path, "hybrid:x", (4, 3))
    assert m.margin(np.zeros(4), np.zeros(3)) == pytest.approx(-1.5)
    with pytest.raises(KbqaError, match="kbqa calibrate"):
        ScopeModel.load(path, "hybrid:x", (384, 512))
    path.write_text(json.dumps({"scope": {"hybrid:x": {**entry, "weights": "junk"}}}), encoding="utf-8")
    with pytest.raises(KbqaError, match="damaged"):  # a hand-edited file: one line, no traceback
        ScopeModel.load(path, "hybrid:x", (4, 3))
    path.write_text(json.dumps({"scope": {"hybrid:x": {k: v for k, v in entry.items() if k != "line"}}}),
                    encoding="utf-8")
    with pytest.raises(KbqaError, match="damaged"):
        ScopeModel.load(path, "hybrid:x", (4, 3))
    path.write_text(json.dumps({"scope": {"hybrid:x": {**entry, "p_weight": 2.0}}}), encoding="utf-8")
    with pytest.raises(KbqaError, match="--only scope"):  # its line was set for another weighting
        ScopeModel.load(path, "hybrid:x", (4, 3))


def test_outside_scope_needs_the_feature_and_weighs_the_decisions_odds():
    assert not outside_scope({"cov_any": 1.0}, 0.01)  # lexical and dense modes, or no model: never
    assert outside_scope({"scope": -0.1}, 0.5) and not outside_scope({"scope": 0.0}, 0.5)  # even odds add nothing
    assert not outside_scope({"scope": -0.5}, 0.9)  # the decision sure of it: a lower score is needed to refuse
    assert outside_scope({"scope": 0.5}, 0.2)  # unsure: a score a little above the line is not enough
    assert log_odds(0.0) == pytest.approx(-log_odds(1.0)) and abs(log_odds(0.0)) < 10


def test_too_few_questions_fit_no_model():
    X, y, groups = _data(n=60)  # about 18 in scope
    assert _fit(X, y, groups) is None
    X, y, _ = _data()
    assert _fit(X, y, ["one file"] * len(y)) is None  # a single group: no fold to hold out


def test_inside_scope_is_a_margin_well_above_the_veto_line():
    from kbqa.answer.decide import PART_SCOPE, inside_scope

    assert not inside_scope({"cov_any": 1.0}, 0.9)  # no scope model: never
    assert inside_scope({"scope": PART_SCOPE}, 0.5) and not inside_scope({"scope": PART_SCOPE - 0.1}, 0.5)
    assert not inside_scope({"scope": PART_SCOPE + 0.5}, 0.05)  # the decision sure it is not: the odds pull it below


def test_a_part_beside_one_well_inside_the_faq_is_held_to_the_lower_bar():
    from kbqa.answer.decide import PART_SCOPE, PART_SCOPE_BESIDE, inside_scope

    inside, doubted = ({"scope": PART_SCOPE + 1.0}, 0.5), ({"scope": PART_SCOPE_BESIDE + 0.1}, 0.5)
    assert not inside_scope(*doubted)  # alone: below PART_SCOPE
    assert inside_scope(*doubted, inside)
    assert not inside_scope(*doubted, ({"scope": PART_SCOPE - 0.1}, 0.5))  # beside a part only a little inside
    assert not inside_scope({"scope": PART_SCOPE_BESIDE - 0.1}, 0.5, inside)


def test_a_part_beside_one_well_inside_that_names_an_faq_word_may_be_a_little_outside():
    from kbqa.answer.decide import PART_LEFT, PART_SCOPE, PART_SCOPE_BESIDE, inside_scope

    inside = ({"scope": PART_SCOPE + 1.0}, 0.5)
    named = {"scope": (PART_LEFT + PART_SCOPE_BESIDE) / 2, "lex_top": 2.0}  # "DBA 又问 MySQL 上容器 storage 怎么选"
    fragment = {"scope": (PART_LEFT + PART_SCOPE_BESIDE) / 2, "lex_top": 0.0}  # "我们该怎么回复、之后怎么收敛"
    assert inside_scope(named, 0.5, inside)
    assert not inside_scope(fragment, 0.5, inside)  # no word of the FAQ's: held to PART_SCOPE_BESIDE
    assert not inside_scope(named, 0.5)  # alone: PART_SCOPE
    assert not inside_scope({"scope": PART_LEFT - 0.1, "lex_top": 2.0}, 0.5, inside)


def test_a_follow_up_asks_anew_with_words_of_its_own_well_outside_the_faq():
    assert asks_anew({"scope": -1.5, "n_words": 8.0}, 0.5)
    assert not asks_anew({"scope": -1.5, "n_words": 3.0}, 0.5)  # "HA?", "那发版呢": too short to stand alone
    assert not asks_anew({"scope": -0.5, "n_words": 8.0}, 0.5)  # just outside: the turn before may carry it
    assert not asks_anew({"n_words": 8.0}, 0.1)  # no scope model: never


def test_a_refused_first_message_far_inside_the_faqs_subjects_is_rescued():
    from kbqa.answer.decide import RESCUE_SCOPE, well_inside

    assert well_inside({"scope": RESCUE_SCOPE + 0.5}, 0.5)  # log-odds 0 at p 0.5
    assert not well_inside({"scope": RESCUE_SCOPE + 0.5}, 0.1)  # the decision sure it is not: the bar is higher
    assert not well_inside({"cov_any": 1.0}, 0.4)  # no scope model: never


def test_a_follow_up_refused_alone_is_near_known_when_the_memory_places_it_among_answered_questions():
    from kbqa.answer.decide import RESCUE_MEMORY, near_known

    inside = {"memory": RESCUE_MEMORY - 0.01, "scope": 1.0, "unknown_named": 0.0}
    assert near_known(inside, 0.5)
    assert not near_known({**inside, "memory": RESCUE_MEMORY + 0.01}, 0.5)  # not much nearer in-scope questions
    assert not near_known({**inside, "scope": -1.0}, 0.5)  # the scope model places it outside
    assert not near_known({**inside, "unknown_named": 1.0}, 0.5)  # a term the FAQ does not know ("Cilium")
    assert not near_known({"scope": 1.0}, 0.5)  # no memory: never
