"""The segmenter: rjieba, when installed, gives jieba's words (the index and routing were built and measured on them)."""
import json
from pathlib import Path

import pytest

from kbqa.text.normalise import _CJK_RUN, _jieba, _segmenter, normalise, segment

ROOT = Path(__file__).resolve().parents[3]


def _runs() -> list[str]:
    """The Chinese runs of the corpus and of the eval questions (their turns before too)."""
    texts = [line for f in sorted((ROOT / "corpus").rglob("*.json*")) for line in f.read_text(encoding="utf-8").splitlines()]
    for f in sorted((ROOT / "eval").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            texts += [t for t in [row.get("question"), *row.get("history", [])] if isinstance(t, str)]
    return sorted({run for t in texts for run in _CJK_RUN.findall(normalise(t))})


def test_segment_gives_jiebas_words():
    pytest.importorskip("rjieba")
    jieba = _jieba()
    runs = _runs() + ["容器㐀网络怎么选", "㐀㐁", "网络豈存储"]  # characters jieba does not count as Chinese: words alone
    assert len(runs) > 10000
    for run in runs:
        assert segment(run) == jieba.lcut(run), run
        assert segment(run, search=True) == jieba.lcut_for_search(run), run


def test_without_rjieba_jieba_segments(monkeypatch):
    import builtins

    real = builtins.__import__
    monkeypatch.setattr(builtins, "__import__", lambda name, *a, **k: (_ for _ in ()).throw(ImportError(name))
                        if name == "rjieba" else real(name, *a, **k))
    _segmenter.cache_clear()
    try:
        assert segment("网络和存储分别怎么选型", search=True) == _jieba().lcut_for_search("网络和存储分别怎么选型")
        assert _segmenter()[0] == _jieba().lcut
    finally:
        _segmenter.cache_clear()
