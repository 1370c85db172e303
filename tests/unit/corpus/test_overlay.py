"""The owners' overlay file: its format, how it is applied on load, and how the engine answers the questions it
settles (a paraphrase routes to its FAQ question, an out-of-scope question is refused, a curated answer is cited
like an expert). The raw article and faq.json are never touched."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from kbqa.corpus import overlay as ov
from kbqa.corpus.loader import load_faq
from kbqa.index.chunks import make_chunks
from kbqa.settings import REPO_ROOT, Settings

CORPUS = REPO_ROOT / "corpus"


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name in ("faq.json", "glossary.tsv", "examples.txt"):
        shutil.copy(CORPUS / name, d / name)
    return d


def _write(d: Path, *corrections) -> None:
    (d / ov.OVERLAY_FILE).write_text(ov.dump(list(corrections)), encoding="utf-8")


def test_format_round_trip_and_one_line_errors():
    c = ov.new("curated", "  平台支持 GPU 吗？ ", answer="支持，见运维手册。", author="@ops_team", author_title="平台组")
    assert c.author == "ops_team" and c.question == "平台支持 GPU 吗？" and len(c.id) == 8
    line = c.to_json()
    assert "\n" not in line and '"topic": null' in line and "line" not in json.loads(line)
    assert ov.parse(ov.dump([c]))[0] == ov.Correction(**{**json.loads(line), "line": 1})
    p = ov.new("paraphrase", "容器时区怎么改", topic=3)
    assert "topic" in p.to_dict() and "answer" not in p.to_dict()
    for text, match in [
        ('{"id": "a", "kind": "paraphrase", "question": "q"}\n', r"overlay.jsonl:1: a paraphrase names the FAQ question"),
        ('\n{"id": "a", "kind": "nope", "question": "q"}\n', r"overlay.jsonl:2: kind must be one of"),
        ('{"id": "a", "kind": "out_of_scope", "question": "q", "extra": 1}\n', r"unknown field 'extra'"),
        ('{"id": "a", "kind": "out_of_scope", "question": "Q!"}\n{"id": "b", "kind": "out_of_scope", "question": "q"}\n',
         r"overlay.jsonl:2: the question is already corrected on line 1"),
        ('{"id": "a", "kind": "curated", "question": "q", "answer": "x", "author": "two words"}\n', r"author handle"),
        ('not json\n', r"overlay.jsonl:1: invalid JSON"),
    ]:
        with pytest.raises(ValueError, match=match):
            ov.parse(text)
    with pytest.raises(ValueError, match="needs its text"):
        ov.new("curated", "q", author="a")
    with pytest.raises(ValueError, match="only a curated correction"):
        ov.new("out_of_scope", "q", answer="x")


def test_upsert_replaces_the_same_question_in_any_script_and_punctuation():
    a = ov.new("paraphrase", "容器時區怎麼改？", topic=3)
    b = ov.new("out_of_scope", "容器时区 怎么改", by="admin")
    assert ov.upsert([a], b) == [b]
    assert ov.question_key("  K8S，滚动更新！ ") == ov.question_key("k8s滚动更新")


def test_applied_on_load_beside_the_corpus_never_touching_it(corpus_dir):
    before = hashlib.sha256((corpus_dir / "faq.json").read_bytes()).hexdigest()
    plain = load_faq(corpus_dir / "faq.json")
    _write(corpus_dir, ov.new("paraphrase", "容器时区怎么改", topic=3),
           ov.new("out_of_scope", "今天股票怎么样"),
           ov.new("curated", "平台支持 GPU 吗", answer="支持 GPU 节点，申请方式见运维手册。", author="ops_team"),
           ov.new("curated", "Harbor 怎么备份", answer="每天凌晨全量备份。", author="ops_team", author_title="平台组",
                  topic=6))
    faq = load_faq(corpus_dir / "faq.json")
    assert hashlib.sha256((corpus_dir / "faq.json").read_bytes()).hexdigest() == before
    assert faq.version != plain.version and len(faq.version) == 16
    assert faq.topic(3).similar == ("容器时区怎么改",) and faq.topic(6).similar == ("Harbor 怎么备份",)
    assert faq.out_of_scope == ("今天股票怎么样",)
    new = faq.topic(11)
    assert new.title == "平台支持 GPU 吗" and len(faq.topics) == 11
    curated = [u for u in faq.units if u.expert == "ops_team"]
    assert [(u.topic, u.expert_title) for u in curated] == [(6, "平台组"), (11, "")]
    assert load_faq(corpus_dir / "faq.json", overlay=None).version == plain.version
    assert load_faq(corpus_dir / "faq.json", overlay_text="").version == plain.version
    # a paraphrase is indexed as a chunk of its question unit (and a FAQ without any has the chunks it had)
    q3 = next(i for i, u in enumerate(faq.units) if u.id == "t3")
    assert any(c.unit == q3 and c.text == "容器时区怎么改" for c in make_chunks(faq.units))


def test_a_correction_of_a_question_that_does_not_exist_is_refused(corpus_dir):
    _write(corpus_dir, ov.new("out_of_scope", "甲"), ov.new("paraphrase", "乙", topic=12))
    with pytest.raises(ValueError, match=r"overlay.jsonl:2: question 12 does not exist \(the FAQ has 1-10\)"):
        load_faq(corpus_dir / "faq.json")


def test_the_engine_answers_what_the_overlay_settles(corpus_dir, tmp_path):
    from kbqa.engine import Engine

    settings = Settings(home=tmp_path / "home", embedder="fake", corpus=corpus_dir / "faq.json")
    before = Engine(settings, progress=False)
    q = "午饭吃香蕉还是苹果？"
    assert before.ask(q).status == "not_covered"
    covered = "容器里怎么执行定时任务？"
    assert before.ask(covered).status == "answered"
    _write(corpus_dir, ov.new("paraphrase", q, topic=3), ov.new("out_of_scope", covered),
           ov.new("curated", "平台支持 GPU 吗", answer="支持 GPU 节点，申请方式见运维手册。", author="ops_team",
                  author_title="平台组"))
    engine = Engine(settings, progress=False)
    a = engine.ask(q)
    assert (a.status, a.kind, a.topic, a.confidence) == ("answered", "answer", 3, 1.0)
    assert all(c.topic == 3 for c in a.citations) and a.citations
    assert q not in a.answer.replace("**", "")  # the paraphrase routes; it is never quoted as the FAQ's words
    t = engine.ask("午饭 吃香蕉还是苹果")  # spaces, punctuation
    assert t.topic == 3
    assert engine.ask("午飯吃香蕉還是蘋果").topic == 3  # Traditional in, same route
    r = engine.ask(covered)
    assert (r.status, r.kind) == ("not_covered", "not_covered")
    g = engine.ask("平台支持 GPU 吗？")
    assert g.status == "answered" and g.topic == 11
    assert [(c.expert, c.expert_title) for c in g.citations] == [("ops_team", "平台组")]
    assert "支持 GPU 节点" in g.answer
    overview = engine.ask("有哪些问题")
    assert "平台支持 GPU 吗" in overview.answer
