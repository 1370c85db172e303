"""The runner, the report and `kbqa eval` on the fake embedder, over a tiny eval set."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kbqa.frontends.cli import build_parser
from kbqa.engine import KbqaError
from kbqa.evaluation import cli as eval_cli
from kbqa.evaluation.metrics import COUNTS, LATENCIES, RATES
from kbqa.evaluation.report import build_document, text_summary, write_report
from kbqa.evaluation.runner import run_sets
from kbqa.settings import REPO_ROOT

ROWS = [
    {"id": "t-1", "question": "企业是应该选择原生的Docker还是定制化的Docker，比如胖容器/富容器？", "topic": 1,
     "experts": ["gavin_zhang", "某银行"], "must_mention": ["docker"], "lang": "zh-Hans", "kind": "paraphrase"},
    {"id": "t-2", "question": "容器東西向網絡安全是怎麼考慮的？", "topic": 5, "experts": [],
     "must_mention": [], "lang": "zh-Hant", "kind": "script"},
    # labelled with the wrong topic on purpose: it must show up in the failures
    {"id": "t-wrong", "question": "容器东西向网络安全是怎么考虑的？", "topic": 8, "experts": ["gavin_zhang"],
     "must_mention": ["不会出现的词"], "lang": "zh-Hans", "kind": "fact"},
    {"id": "t-ood", "question": "今天天气怎么样", "topic": None, "experts": [], "must_mention": [],
     "lang": "zh-Hans", "kind": "ood"},
    {"id": "t-empty", "question": "", "topic": None, "experts": [], "must_mention": [], "lang": "zh-Hans",
     "kind": "adversarial"},
]
ALWAYS_DEFINED = ("topic_hit@1", "topic_hit@3", "topic_mrr", "expert_recall@5", "citation_hit",
                  "keyword_coverage", "ood_accuracy", "false_refusal_rate")


def write_set(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_set(tmp_path_factory.mktemp("sets") / "tiny.jsonl", ROWS)


@pytest.fixture(scope="module")
def hybrid_run(fake_engine, tiny):
    from kbqa.evaluation.dataset import load

    runs = run_sets(fake_engine, {"tiny.jsonl": load(tiny)}, ["hybrid"], progress=False)
    doc = build_document(runs, {"tiny.jsonl": str(tiny)},
                         {"embedder": fake_engine.embedder.identity(), "command": "kbqa eval tiny.jsonl"})
    return runs, doc


def check_metrics(m: dict, n: int):
    for k in RATES:
        assert k in m and (m[k] is None or 0.0 <= m[k] <= 1.0), k
    for k in ALWAYS_DEFINED:
        assert m[k] is not None, k
    assert all(k in m for k in COUNTS + LATENCIES)
    assert m["n"] == n and m["latency_p50_ms"] <= m["latency_p95_ms"]


def test_runner_times_every_question_and_turns_invalid_into_not_covered(hybrid_run):
    runs, _ = hybrid_run
    rows = runs["hybrid"]["tiny.jsonl"]
    assert [r.item["id"] for r in rows] == [r["id"] for r in ROWS]
    assert all(r.latency_ms is not None and r.latency_ms >= 0 and r.mode == "hybrid" for r in rows)
    empty = rows[-1]
    assert empty.error and empty.answer.status == "not_covered" and empty.answer.hits == ()
    assert all(r.error is None for r in rows[:-1])


def test_document_has_every_metric_in_unit_interval(hybrid_run):
    _, doc = hybrid_run
    assert doc["mode"] == "hybrid" and doc["answer_mode"] == "extractive" and doc["embedder"]["backend"] == "fake"
    for m in (doc["sets"]["tiny.jsonl"], doc["combined"]):
        check_metrics(m, len(ROWS))
        assert set(m["by_lang"]) == {"zh-Hans", "zh-Hant"} and set(m["by_kind"]) == {r["kind"] for r in ROWS}
        for group in [*m["by_lang"].values(), *m["by_kind"].values()]:
            assert all(group[k] is None or 0.0 <= group[k] <= 1.0 for k in RATES)
    s = doc["sets"]["tiny.jsonl"]
    assert (s["n_in_scope"], s["n_ood"], s["n_invalid"]) == (3, 2, 1)
    assert s["topic_hit@1"] < 1.0 and not doc["gate"]["passed"]  # t-wrong
    json.dumps(doc)  # serialisable as is


def test_report_files_and_failures(hybrid_run, tmp_path):
    runs, doc = hybrid_run
    paths = write_report(tmp_path / "rep", doc, runs)
    assert sorted(p.name for p in paths) == ["failures.jsonl", "failures.md", "metrics.json", "metrics.png",
                                             "report.md"]
    assert all(p.stat().st_size > 0 for p in paths if p.name != "failures.jsonl")
    assert json.loads((tmp_path / "rep" / "metrics.json").read_text(encoding="utf-8")) == doc
    assert (tmp_path / "rep" / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    failures = [json.loads(line) for line in (tmp_path / "rep" / "failures.jsonl").read_text("utf-8").splitlines()]
    wrong = next(f for f in failures if f["id"] == "t-wrong")
    assert wrong["expected"] == {"topic": 8, "experts": ["gavin_zhang"], "must_mention": ["不会出现的词"]}
    assert wrong["reasons"] and wrong["set"] == "tiny.jsonl" and wrong["mode"] == "hybrid"
    assert wrong["top_units"] and {"rank", "id", "score"} <= set(wrong["top_units"][0])
    assert {"status", "topic", "cited", "answer_excerpt"} <= set(wrong["got"])
    assert "t-empty" not in {f["id"] for f in failures}  # refusing an empty question is right
    md = (tmp_path / "rep" / "failures.md").read_text(encoding="utf-8")
    assert "## t-wrong" in md and "不会出现的词" in md
    report = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    for words in ("kbqa eval tiny.jsonl", "hash-ngrams", "## By language", "## By kind", "metrics.png",
                  "| topic_hit@1 |", "zh-Hant", "adversarial"):
        assert words in report


def _args(*argv):
    return build_parser().parse_args(["eval", *map(str, argv)])


def test_compare_one_column_per_mode(fake_engine, tiny, tmp_path, capsys):
    assert eval_cli.run(_args(tiny, "--compare", "lexical, dense,hybrid", "--json"), engine=fake_engine,
                        progress=False) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["modes"] == ["lexical", "dense", "hybrid"] and "mode" not in doc
    for mode in doc["modes"]:
        check_metrics(doc["runs"][mode]["sets"]["tiny.jsonl"], len(ROWS))
    table = text_summary(doc).splitlines()
    header = next(line for line in table if line.startswith("metric"))
    assert header.split() == ["metric", "lexical", "dense", "hybrid", "bar"]
    row = next(line for line in table if line.startswith("topic_mrr"))
    assert len(row.split()) == 4  # the name and one value per mode (no bar for this metric)


def test_default_output_is_a_text_table_and_gate(fake_engine, tiny, tmp_path, capsys):
    assert eval_cli.run(_args(tiny), engine=fake_engine, progress=False) == 0
    out = capsys.readouterr().out
    assert "topic_hit@1" in out and "tiny.jsonl" in out and not out.lstrip().startswith("{")
    assert eval_cli.run(_args(tiny, "--gate"), engine=fake_engine, progress=False) == 1
    assert "below the quality bar: tiny.jsonl [hybrid]: topic_hit@1" in capsys.readouterr().err
    blank = write_set(tmp_path / "blank.jsonl", [{**ROWS[-1], "id": "e1"}, {**ROWS[-1], "id": "e2", "question": " "}])
    assert eval_cli.run(_args(blank, "--gate", "--json"), engine=fake_engine, progress=False) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["gate"] == {"passed": True, "failures": []} and doc["sets"]["blank.jsonl"]["ood_accuracy"] == 1.0


def test_llm_needs_a_base_url_and_bad_modes_are_refused(fake_engine, tiny):
    with pytest.raises(KbqaError, match="--llm needs KBQA_LLM_BASE_URL"):
        eval_cli.run(_args(tiny, "--llm"), engine=fake_engine, progress=False)
    with pytest.raises(KbqaError, match="unknown mode 'bm25'"):
        eval_cli.run(_args(tiny, "--compare", "lexical,bm25"), engine=fake_engine, progress=False)

    from kbqa.engine import Engine

    assert Engine(fake_engine.settings.with_(llm_base_url="http://127.0.0.1:9/v1")).answer_mode == "llm"
    assert fake_engine.answer_mode == "extractive"


def test_set_names_keep_files_apart(fake_engine, tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = write_set(tmp_path / "a" / "dev.jsonl", ROWS[:2])
    two = write_set(tmp_path / "b" / "dev.jsonl", ROWS[3:])
    assert eval_cli.run(_args(one, two, "--json"), engine=fake_engine, progress=False) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["sets"]) == [str(one), str(two)]
    assert doc["combined"]["n"] == 4 and doc["combined"]["n_ood"] == 2


# ---- `kbqa eval` as users run it --------------------------------------------------------------
def kbqa(*argv, home):
    env = {k: v for k, v in os.environ.items() if k != "KBQA_DEBUG"}
    env.update(KBQA_EMBEDDER="fake", KBQA_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "eval", *map(str, argv)], capture_output=True,
                          text=True, env=env, cwd=REPO_ROOT, timeout=120)


@pytest.mark.slow
def test_cli_prints_json(fake_engine, tiny):
    p = kbqa(tiny, "--json", home=fake_engine.settings.home)  # reuses the session's fake index
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    check_metrics(doc["sets"]["tiny.jsonl"], len(ROWS))
    assert doc["embedder"]["backend"] == "fake" and doc["command"].startswith("kbqa eval ")


@pytest.mark.slow
def test_cli_one_line_errors(tmp_path, tiny):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ROWS[0]) + "\n" + '{"id": "x", "question": ', encoding="utf-8")
    for argv, words in (([tmp_path / "missing.jsonl"], "eval set not found"),
                        ([tiny, bad], f"{bad}:2: not valid JSON")):
        p = kbqa(*argv, "--json", home=tmp_path / "home")
        assert p.returncode != 0 and p.stdout == ""
        assert len(p.stderr.strip().splitlines()) == 1 and words in p.stderr, p.stderr


# ---- conversation rows -----------------------------------------------------------------------------
CONV_ROWS = [
    # outcomes that do not depend on how the engine routes: `expect: any` passes, an impossible word fails
    {"id": "c-any", "question": "你好", "kind": "smalltalk", "expect": "any"},
    {"id": "c-never", "question": "第四个问题", "kind": "by-number", "topic": 4, "experts": [], "must_mention": [],
     "lang": "zh-Hans", "expect": "any", "expect_kind": "question", "must_not": ["问题"]},
    {"id": "c-follow", "question": "那存储呢？", "kind": "follow-up", "expect": "any",
     "history": ["容器云平台怎么整体规划？"], "lang": "zh-Hans"},
    # a topical kind with a topic: counted in the topical metrics too
    {"id": "c-fact", "question": "容器东西向网络安全是怎么考虑的？", "kind": "fact", "topic": 5, "experts": [],
     "must_mention": [], "lang": "zh-Hans", "expect": "any"},
]
MIXED = [ROWS[0], ROWS[1], ROWS[3]] + CONV_ROWS


class Spy:
    """The fake engine, recording the history each question was asked with."""

    def __init__(self, engine):
        self.engine, self.calls = engine, []

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def ask(self, question, history=None, mode=None):
        self.calls.append((question, history))
        return self.engine.ask(question, history=history, mode=mode)


def test_conversation_rows_are_scored_per_kind_and_asked_with_their_history(fake_engine, tmp_path, capsys):
    mixed = write_set(tmp_path / "mixed.jsonl", MIXED)
    spy = Spy(fake_engine)
    assert eval_cli.run(_args(mixed, "--json", "--report", tmp_path / "rep"), engine=spy, progress=False) == 0
    doc = json.loads(capsys.readouterr().out)
    assert ("那存储呢？", ["容器云平台怎么整体规划？"]) in spy.calls
    assert all(h is None for q, h in spy.calls if q != "那存储呢？")
    s = doc["sets"]["mixed.jsonl"]
    assert s["n"] == 4 and s["n_in_scope"] == 3  # topical rows + c-fact; by-number/follow-up rows stay out
    assert set(s["by_kind"]) == {"paraphrase", "script", "ood", "fact"}
    conv = s["conv"]
    assert (conv["n"], conv["passed"]) == (4, 3)
    assert conv["by_kind"]["smalltalk"] == {"conv_pass": 1.0, "n": 1, "passed": 1}
    assert conv["by_kind"]["by-number"] == {"conv_pass": 0.0, "n": 1, "passed": 0}
    assert set(conv["by_kind"]) == {"smalltalk", "by-number", "follow-up", "fact"}
    assert list(conv["by_expect_kind"]) == ["question"] and conv["by_expect_kind"]["question"]["n"] == 1
    assert doc["conv_bar"] == 0.95 and "mixed.jsonl [hybrid]: conv by-number 0 < 0.95 (0 of 1)" in doc["gate"]["failures"]
    failures = [json.loads(line) for line in (tmp_path / "rep" / "failures.jsonl").read_text("utf-8").splitlines()]
    never = next(f for f in failures if f["id"] == "c-never")
    assert "conv: contains 问题" in never["reasons"] and never["expected"]["conversation"]["must_not"] == ["问题"]
    assert "c-any" not in {f["id"] for f in failures}
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "| kind by-number | 0.000 (0/1)* | >= 0.95 |" in md


def test_gate_checks_each_conversation_kind(fake_engine, tmp_path, capsys):
    mixed = write_set(tmp_path / "conv.jsonl", CONV_ROWS)
    assert eval_cli.run(_args(mixed, "--gate"), engine=fake_engine, progress=False) == 1
    out, err = capsys.readouterr()
    assert "kind by-number" in out and "0.000 (0/1)*" in out
    assert "below the quality bar: conv.jsonl [hybrid]: conv by-number 0 < 0.95 (0 of 1)" in err
    passing = write_set(tmp_path / "ok.jsonl", [CONV_ROWS[0], CONV_ROWS[2]])
    assert eval_cli.run(_args(passing, "--gate", "--json"), engine=fake_engine, progress=False) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["gate"]["passed"] and doc["sets"]["ok.jsonl"]["n"] == 0  # no topical row: nothing to gate


@pytest.mark.slow
def test_cli_json_reports_conversation_kinds(fake_engine, tmp_path):
    mixed = write_set(tmp_path / "mixed.jsonl", MIXED)
    p = kbqa(mixed, "--json", home=fake_engine.settings.home)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    conv = doc["sets"]["mixed.jsonl"]["conv"]
    assert {k: (v["n"], v["passed"]) for k, v in conv["by_kind"].items()} == {
        "smalltalk": (1, 1), "by-number": (1, 0), "follow-up": (1, 1), "fact": (1, 1)}
    assert doc["combined"]["conv"]["conv_pass"] == 0.75
