"""The segmenter and NFKC: quicker paths that give what jieba and unicodedata give (the index and routing were built on them)."""
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


@pytest.mark.parametrize("text", ["网络和存储分别怎么选型，另外多集群怎么管理？", "how do we handle HA?", "ｋ８ｓ\u3000全角：Ａ\u0301",
                                  "ｅ\ufe0f\u0301 keycap 6\ufe0f\u20e3", "容器網路怎麼選型？", "① ㎏ ﬁ ½ Ⅻ", "", "\u3000\u3000", "Ａ\u0301ｂ\u0308"])
def test_nfkc_is_unicodedatas(text):
    import unicodedata

    from kbqa.text.normalise import _nfkc

    assert _nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_over_the_eval_messages_and_random_text():
    import random
    import unicodedata

    from kbqa.text.normalise import _nfkc

    rnd = random.Random(7)
    pool = [0x3000, *range(0xFF00, 0xFF70), *range(0x300, 0x370), *range(0x20, 0x7F), *range(0x4E00, 0x4E40), 0xFE0F, 0x20E3]
    texts = [t for f in sorted((ROOT / "eval").glob("dev_conv3*.jsonl")) for line in f.read_text(encoding="utf-8").splitlines()
             if line.strip() for t in [json.loads(line).get("question")] if isinstance(t, str)]
    texts += ["".join(chr(rnd.choice(pool)) for _ in range(rnd.randint(1, 40))) for _ in range(3000)]
    assert len(texts) > 3000 and all(_nfkc(t) == unicodedata.normalize("NFKC", t) for t in texts)


def test_clean_as_collapsing_every_whitespace_run():
    import random
    import re

    from kbqa.text.normalise import _CONTROL, clean

    rnd = random.Random(3)
    pool = [" ", "\t", "\n", "\u3000", "\x00", "\u200b", "a", "中", "\xa0", "\r", "\x85", "\u2028"]
    for text in ["".join(rnd.choice(pool) for _ in range(rnd.randint(0, 12))) for _ in range(20000)]:
        assert clean(text) == re.sub(r"\s+", " ", _CONTROL.sub(" ", text)).strip(), repr(text)


def test_normalise_with_each_flag_from_one_conversion():
    from kbqa.text.normalise import normalise

    text = "容器網路怎麼選型？ＫＵＢＥ"
    assert normalise(text) == "容器网络怎么选型?kube"  # Taiwan's phrases (網路 -> 网络), lower case
    assert normalise(text, phrases=False) == "容器网络怎么选型?kube" and normalise(text, lower=False).endswith("KUBE")
    # characters only, and Taiwan's words of the same length (網路, 叢集): 資料 stays "material" (资料), not 数据
    assert normalise("叢集的資料", phrases=False) == "集群的资料" and normalise("叢集的資料") == "集群的数据"
