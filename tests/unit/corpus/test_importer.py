"""`kbqa kb import`: every format read into faq.json, and every bad file refused in one line naming the row,
with nothing written."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kbqa.corpus import importer
from kbqa.corpus.importer import ImportFailed, read_faq, write_kb
from kbqa.corpus.loader import load_faq
from kbqa.settings import REPO_ROOT

FAQS = REPO_ROOT / "tests" / "data" / "faqs"


def _csv(tmp_path: Path, rows, name="faq.csv", encoding="utf-8", delimiter=",") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    p = tmp_path / name
    p.write_bytes(buf.getvalue().encode(encoding))
    return p


def _fails(path, match: str, **kw):
    with pytest.raises(ImportFailed, match=match) as e:
        read_faq(path, **kw)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(Path(path).name + ":"), msg
    return msg


# ---- CSV ------------------------------------------------------------------------------------------------
def test_the_second_faq_csv_reads_in_file_order_with_several_answers_and_similar_questions():
    got = read_faq(FAQS / "home_network.csv", title="家庭宽带与Wi-Fi常见问题")
    topics = got.data["topics"]
    assert [t["n"] for t in topics] == list(range(1, 11))
    assert topics[0]["title"] == "家里的Wi-Fi信号弱怎么办？"
    assert [a["handle"] for a in topics[0]["answers"]] == ["网络小王", "李工"]  # rows 2 and 3: one question
    assert topics[0]["answers"][1]["org_title"] == "客服技术支持"
    assert topics[0]["similar"] == ["卧室里没有Wi-Fi信号", "无线信号覆盖不到怎么办"]
    assert got.report.questions == 10 and got.report.answers == 11 and got.report.read == 11
    assert any("row 3: same question as row 2" in n for n in got.report.notes)


def test_english_headers_notes_in_brackets_gbk_tsv_and_a_default_author(tmp_path):
    p = _csv(tmp_path, [["Question (required)", "ANSWER", "Similar Questions", "remarks"],
                        ["How do I reset it?", "Hold the button for 10 s.", "reset\nfactory reset", "x"]])
    got = read_faq(p)
    t = got.data["topics"][0]
    assert t["answers"][0]["handle"] == importer.entries.DEFAULT_AUTHOR and t["similar"] == ["reset", "factory reset"]
    assert got.data["title"] == "faq" and any("'remarks' ignored" in n for n in got.report.notes)
    gbk = _csv(tmp_path, [["问题（必填）", "答案", "作者"], ["怎么报销", "走系统", "小李"]], name="gbk.csv", encoding="gbk")
    assert read_faq(gbk).data["topics"][0]["answers"][0]["handle"] == "小李"
    tsv = _csv(tmp_path, [["问题", "答案"], ["甲？", "乙。"]], name="f.tsv", delimiter="\t")
    assert read_faq(tsv).data["topics"][0]["title"] == "甲？"
    bom = tmp_path / "bom.csv"
    bom.write_bytes("问题,答案\n甲,乙\n".encode("utf-8-sig"))
    assert read_faq(bom).data["topics"][0]["title"] == "甲"


@pytest.mark.parametrize("rows, match", [
    ([["问题", "答案"], ["甲", "乙"], ["丙", ""]], r"row 3: the answer to '丙' is empty"),
    ([["问题", "答案"], ["甲", "乙"], ["", "孤零零的答案"]], r"row 3: the question is empty \(the answer is not\)"),
    ([["标题", "内容"], ["甲", "乙"]], r"row 1: no question column .*found '标题', '内容'"),
    ([["问题", "答案"], ["甲", "乙", "多出来的"]], r"row 2: 3 cells, but the header has 2"),
    ([["问题", "问题", "答案"], ["甲", "甲", "乙"]], r"row 1: two question columns"),
    ([["问题", "答案"], ["甲", "<script>alert(1)</script>"]], r"row 2: the answer contains HTML \(<script>\)"),
    ([["问题", "答案"], ["甲", '<a href="javascript:x()">点</a>']], r"row 2: the answer contains HTML"),
    ([["问题", "答案"], ["甲" * 1001, "乙"]], r"row 2: the question is 1,001 characters long"),
    ([["问题", "答案", "相似问题"], ["甲", "乙", "丙"], ["丙", "丁", ""]], r"row 2: the similar question '丙' of question 1 is "
                                                                   r"also question 2 \(row 3\)"),
    ([["问题", "答案"]], r"no questions found"),
])
def test_bad_csv_rows_are_refused_naming_the_row(tmp_path, rows, match):
    _fails(_csv(tmp_path, rows), match)


def test_broken_binary_huge_and_misnamed_csv_files(tmp_path, monkeypatch):
    broken = tmp_path / "broken.csv"
    broken.write_text('问题,答案\n甲,乙\n"丙,丁\n戊,己\n', encoding="utf-8")
    _fails(broken, r"row 3 \(line \d\): broken CSV: .*unbalanced quote")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x01\x02\x00\x03" * 100)
    _fails(binary, r"a binary file, not CSV text")
    zipped = tmp_path / "really.csv"
    zipped.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    _fails(zipped, r"a ZIP archive")
    assert _fails(tmp_path / "missing.csv", r"no such file")
    _fails(tmp_path / "faq.xls", r"old Excel .xls")
    _fails(tmp_path / "faq.pdf", r"cannot tell the format")
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 10)
    _fails(_csv(tmp_path, [["问题", "答案"], ["甲", "乙"]]), r"the file is 0.0 MB; at most 0 MB")


def test_harmless_html_formatting_becomes_text_with_a_note(tmp_path):
    got = read_faq(_csv(tmp_path, [["问题", "答案"], ["<b>甲</b>？", "第一行<br>第二行 &amp; 更多<p>段落</p>"]]))
    t = got.data["topics"][0]
    assert t["title"] == "甲？" and t["answers"][0]["text"] == "第一行\n第二行 & 更多\n段落"
    assert any("row 2: HTML formatting" in n for n in got.report.notes)


# ---- XLSX -----------------------------------------------------------------------------------------------
def _xlsx(tmp_path, rows, merge=None, name="faq.xlsx", second_sheet=False) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "FAQ"
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    if second_sheet:
        wb.create_sheet("说明").append(["这张表不是FAQ"])
    p = tmp_path / name
    wb.save(p)
    return p


def test_xlsx_first_sheet_with_merged_question_cells_and_numbers(tmp_path):
    p = _xlsx(tmp_path, [["问题", "答案", "作者", "作者头衔", "相似问题"],
                         ["端口是多少", 8080, "ops", "平台组", "默认端口\n服务端口"],
                         [None, "也可以在配置里改", "dev", "", None],
                         ["怎么重启", "systemctl restart app", None, None, None]],
              merge="A2:A3", second_sheet=True)
    got = read_faq(p)
    t1, t2 = got.data["topics"]
    assert t1["title"] == "端口是多少" and [a["text"] for a in t1["answers"]] == ["8080", "也可以在配置里改"]
    assert t1["similar"] == ["默认端口", "服务端口"] and t2["n"] == 2
    assert any("only the first sheet 'FAQ'" in n for n in got.report.notes)


def test_bad_xlsx_rows_and_damaged_workbooks(tmp_path):
    _fails(_xlsx(tmp_path, [["问题", "答案"], ["甲", "乙"], ["丙", None]]), r"row 3: the answer to '丙' is empty")
    _fails(_xlsx(tmp_path, [["question", "answer"], ["a", "<iframe src=x></iframe>"]], name="h.xlsx"),
           r"row 2: the answer contains HTML \(<iframe>\)")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    _fails(damaged, r"not a readable XLSX workbook")
    text = tmp_path / "text.xlsx"
    text.write_text("问题,答案\n", encoding="utf-8")
    _fails(text, r"not an XLSX workbook")


# ---- JSON -----------------------------------------------------------------------------------------------
def test_json_list_object_and_faq_structure(tmp_path):
    p = tmp_path / "list.json"
    p.write_text(json.dumps([{"问题": "甲？", "答案": "乙", "相似问题": ["甲吗"]},
                             {"question": "丙？", "answers": ["丁", {"author": "w", "author_title": "t", "text": "戊"}]}],
                            ensure_ascii=False), encoding="utf-8")
    got = read_faq(p)
    assert [t["title"] for t in got.data["topics"]] == ["甲？", "丙？"]
    assert [a["handle"] for a in got.data["topics"][1]["answers"]] == [importer.entries.DEFAULT_AUTHOR, "w"]
    obj = tmp_path / "obj.json"
    obj.write_text(json.dumps({"title": "T", "intro": "I", "questions": [{"question": "q", "answer": "a"}]}),
                   encoding="utf-8")
    assert read_faq(obj).data["title"] == "T" and read_faq(obj).data["intro"] == "I"
    # the faq.json structure itself, renumbered in file order
    data = json.loads((REPO_ROOT / "corpus" / "faq.json").read_text(encoding="utf-8"))
    data["topics"] = data["topics"][2:5]
    same = tmp_path / "same.json"
    same.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    got = read_faq(same)
    assert [t["n"] for t in got.data["topics"]] == [1, 2, 3]
    assert got.data["topics"][0]["title"] == data["topics"][0]["title"]
    assert [a["handle"] for a in got.data["topics"][1]["answers"]] == [a["handle"] for a in data["topics"][1]["answers"]]


@pytest.mark.parametrize("text, match", [
    ('[{"question": "q", "answer": "a"}, {"question": "q2", "answer": ["x"]}]', r"item 2: answer must be text"),
    ('[{"question": "q", "answer": "a"}, {"answer": "a2"}]', r"item 2: the question is empty"),
    ('[{"question": "q", "answer": "a"},\n {"question": "q2", "answer": "a2",}]', r"line 2 column \d+: invalid JSON"),
    ('{"title": "x"}', r'expected a list of questions'),
    ('[1, 2]', r"item 1: expected an object"),
    ('[{"question": "q", "answers": [{"text": 5}]}]', r"item 1: answer 1: the text must be a string"),
])
def test_bad_json_items(tmp_path, text, match):
    p = tmp_path / "bad.json"
    p.write_text(text, encoding="utf-8")
    _fails(p, match)


# ---- Markdown -------------------------------------------------------------------------------------------
def test_our_own_markdown_faq_from_another_domain():
    got = read_faq(FAQS / "travel_expense.md")
    d = got.data
    assert d["title"] == "员工差旅报销常见问题" and d["intro"].startswith("本FAQ由财务共享中心整理")
    assert len(d["topics"]) == 8 and d["topics"][0]["title"] == "出差住宿的报销标准是多少？"  # "1. " dropped
    assert d["topics"][0]["similar"] == ["酒店每晚能报多少钱", "住宿费上限是多少"]
    assert d["topics"][2]["description"] == "发票、行程单、付款记录，哪些是必须的？"
    assert [(a["handle"], a["org_title"]) for a in d["topics"][4]["answers"]] == [
        ("财务小李", "财务共享中心 报销专员"), ("王经理", "财务部 经理")]
    assert not got.report.notes


def test_bad_markdown_names_the_line(tmp_path):
    p = tmp_path / "bad.md"
    p.write_text("# T\n\n## 甲？\n乙\n\n## 丙？\n\n## 丁？\n戊\n", encoding="utf-8")
    _fails(p, r"line 6: the answer to '丙？' is empty")
    none = tmp_path / "none.md"
    none.write_text("# Just a title\n\nsome text\n", encoding="utf-8")
    _fails(none, r"no questions found")
    fenced = tmp_path / "fenced.md"
    fenced.write_text("## 甲？\n```\n## not a heading\n```\n", encoding="utf-8")
    assert len(read_faq(fenced).data["topics"]) == 1


# ---- the article form ---------------------------------------------------------------------------------------
def test_the_article_form_of_the_first_faq_is_the_committed_faq(tmp_path):
    raw = REPO_ROOT / "corpus" / "raw_000_6371a06e5c13dc49.txt"
    got = read_faq(raw)
    committed = json.loads((REPO_ROOT / "corpus" / "faq.json").read_text(encoding="utf-8"))
    assert got.data == committed
    assert got.report.questions == 10 and got.report.answers == 22
    bad = tmp_path / "bad.txt"
    bad.write_text("标题\n没有编号的问题\n", encoding="utf-8")
    _fails(bad, r"no numbered questions")


# ---- writing ------------------------------------------------------------------------------------------------
def test_write_is_all_or_nothing_and_loads(tmp_path):
    out = tmp_path / "kb"
    target = write_kb(read_faq(FAQS / "home_network.csv"), out)
    faq = load_faq(target)
    assert len(faq.topics) == 10 and faq.topics[0].similar == ("卧室里没有Wi-Fi信号", "无线信号覆盖不到怎么办")
    assert (out / "import-report.txt").read_text(encoding="utf-8").startswith("read home_network.csv as csv: 11 rows")
    with pytest.raises(ImportFailed, match="exists; use --force"):
        write_kb(read_faq(FAQS / "travel_expense.md"), out)
    write_kb(read_faq(FAQS / "travel_expense.md"), out, force=True)
    assert load_faq(target).title == "员工差旅报销常见问题"


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kbqa.frontends.cli", "kb", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or REPO_ROOT)


@pytest.mark.slow
def test_cli_reports_and_refuses_in_one_line_writing_nothing(tmp_path):
    out = tmp_path / "new"
    p = _cli("import", FAQS / "home_network.csv", "--out", out, "--title", "家庭宽带")
    assert p.returncode == 0, p.stderr
    assert "10 questions, 11 answers, 7 similar questions" in p.stdout and (out / "faq.json").is_file()
    bad = _csv(tmp_path, [["问题", "答案"], ["甲", "乙"], ["丙", ""]])
    nowhere = tmp_path / "nowhere"
    p = _cli("import", bad, "--out", nowhere)
    assert p.returncode == 2 and not nowhere.exists()
    assert p.stderr.strip() == "kbqa: error: faq.csv: row 3: the answer to '丙' is empty", p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
