"""`kbqa calibrate`: the fit meets the project's quality bar, read from one place."""
from __future__ import annotations

from kbqa.devtools import calibrate
from kbqa.evaluation.dataset import load
from kbqa.evaluation.metrics import QUALITY_BAR
from kbqa.settings import REPO_ROOT


def test_the_bar_is_the_eval_one():
    assert calibrate.OOD_FLOOR == QUALITY_BAR["ood_accuracy"][1]
    assert calibrate.FR_CEILING == QUALITY_BAR["false_refusal_rate"][1]


def test_features_and_fit_on_the_fake_engine(fake_engine):
    items = load(REPO_ROOT / "eval" / "dev.jsonl")[::4]
    X, y = calibrate.features_for(fake_engine, items, "lexical")
    assert len(X) == len(y) > 0 and 0 < sum(y) < len(y)
    assert all(len(row) == len(calibrate.FEATURES["lexical"]) for row in X)
    model = calibrate.fit(X, y, calibrate.features_of(fake_engine, "lexical"))
    assert model["features"] == list(calibrate.FEATURES["lexical"]) and 0 < model["threshold"] < 1
    assert model["n"] == len(y) and model["n_in_scope"] == sum(y)
