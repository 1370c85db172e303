"""Eval sets load unchanged; a bad row is one ValueError line naming file:line."""
from __future__ import annotations

import json

import pytest

from kbqa.evaluation.dataset import load
from kbqa.settings import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared" / "eval" / "faq_dev.jsonl"
GOOD = {"id": "x-1", "question": "容器怎么登录？", "topic": 1, "experts": ["gavin_zhang"],
        "must_mention": ["docker exec|exec"], "lang": "zh-Hans", "kind": "fact"}


def _raw(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [SHARED, REPO_ROOT / "eval" / "dev.jsonl", REPO_ROOT / "eval" / "test.jsonl"],
                         ids=["shared-faq_dev", "dev", "test"])
def test_real_sets_load_unchanged(path):
    if not path.exists():
        pytest.skip(f"{path} is absent")
    items = load(path)
    assert items == _raw(path)
    assert len(items) > 0


def _write(tmp_path, rows, name="set.jsonl"):
    p = tmp_path / name
    p.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                 encoding="utf-8")
    return p


@pytest.mark.parametrize("bad, words", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({k: v for k, v in GOOD.items() if k != "experts"}, "missing field 'experts'"),
    ({**GOOD, "topic": "1"}, "'topic'"),
    ({**GOOD, "topic": True}, "'topic'"),
    ({**GOOD, "topic": 0}, "'topic'"),
    ({**GOOD, "question": None}, "'question'"),
    ({**GOOD, "experts": "gavin_zhang"}, "'experts'"),
    ({**GOOD, "must_mention": ["a|"]}, "empty '|' alternative"),
    ({**GOOD, "id": ""}, "'id'"),
    ({**GOOD, "lang": 3}, "'lang'"),
    ({**GOOD, "id": "x-1"}, "duplicate id 'x-1' (first on line 1)"),
])
def test_bad_row_names_file_and_line(tmp_path, bad, words):
    p = _write(tmp_path, [GOOD, "", bad])  # the bad row is on line 3 (line 2 is blank)
    with pytest.raises(ValueError) as e:
        load(p)
    msg = str(e.value)
    assert msg.startswith(f"{p}:3: ") and words in msg and "\n" not in msg


def test_empty_question_null_topic_bom_and_extra_fields_are_fine(tmp_path):
    rows = [{**GOOD, "id": "a", "question": "", "topic": None, "experts": [], "must_mention": [],
             "kind": "adversarial", "note": "kept"}, GOOD]
    p = tmp_path / "bom.jsonl"
    p.write_text("\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    assert load(p) == rows


def test_missing_empty_and_binary_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.jsonl")
    with pytest.raises(ValueError, match="no questions"):
        load(_write(tmp_path, ["", "  "]))
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match="not UTF-8"):
        load(tmp_path / "bin.jsonl")
