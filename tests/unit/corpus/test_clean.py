"""Corpus cleaning, parsing and loading: the committed corpus/faq.json and the code that builds it."""
from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

from kbqa.corpus import (
    Correction,
    LineRule,
    build_faq,
    clean_text,
    dump_faq,
    load_corrections,
    load_faq,
    load_rules,
    parse_article,
    rebuild_corpus,
    strip_pinyin,
    to_simplified,
)
from kbqa.corpus.clean import PINYIN_RE

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "corpus"
RAW = CORPUS / "raw_000_6371a06e5c13dc49.txt"
RAW_SHA256 = "1299918421f70ffc4f1572326429e89159efd59c67c1660db9d5b50fb5564a91"
CORRECTIONS = CORPUS / "corrections.tsv"
RULES = CORPUS / "boilerplate.tsv"
FAQ_JSON = CORPUS / "faq.json"

EXPECTED_PAIRS = [
    (1, "某银行"), (1, "gavin_zhang"),
    (3, "nameless"), (3, "某银行"),
    (4, "liufengyi"), (4, "某金融企业"), (4, "zhuqibs"), (4, "xiaoping378"), (4, "Garyy"), (4, "Steven99"),
    (5, "zhuqibs"), (5, "nameless"),
    (6, "zhuqibs"), (6, "liufengyi"), (6, "gavin_zhang"),
    (7, "nameless"),
    (8, "gavin_zhang"),
    (9, "某银行"), (9, "gavin_zhang"), (9, "rangeryu"),
    (10, "某银行"), (10, "gavin_zhang"),
]  # fmt: skip

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN_LEFTOVER = re.compile(rf"[(（][a-zü{TONED}]*[{TONED}][a-zü{TONED}]*[)）]")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# characters that only occurred inside the mojibake spans of this article
MOJIBAKE_CHARS = set("槎槠樗梢褂胕珦萜髟谀呐龑鞣鞔笠髽膹")


@pytest.fixture(scope="module")
def faq() -> dict:
    return json.loads(FAQ_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def all_text(faq) -> str:
    parts = [faq["title"], faq["intro"]]
    for t in faq["topics"]:
        parts += [t["title"], t["description"]]
        for a in t["answers"]:
            parts += [a["handle"], a["byline"], a["org_title"], a["text"]]
    return "\n".join(parts)


def test_raw_file_untouched():
    import hashlib

    assert hashlib.sha256(RAW.read_bytes()).hexdigest() == RAW_SHA256


def test_topics_numbered_1_to_10(faq):
    assert faq["title"] == "Docker+k8s容器云建设中10个常见难点"
    assert faq["source"] == RAW.name
    assert [t["n"] for t in faq["topics"]] == list(range(1, 11))
    assert faq["topics"][0]["title"] == "企业是应该选择原生的Docker还是定制化的Docker,比如胖容器/富容器?"
    assert faq["topics"][0]["description"].startswith("Docker是当前企业")
    assert "【问题描述】" not in json.dumps(faq, ensure_ascii=False)
    # numbered sub-items inside descriptions / answers are not questions
    assert "\n2、对于普通用户来说" in faq["topics"][0]["description"]
    assert "\n2、方便拷贝的方式" in faq["topics"][0]["answers"][0]["text"]


def test_answers_and_handles(faq):
    pairs = [(t["n"], a["handle"]) for t in faq["topics"] for a in t["answers"]]
    assert pairs == EXPECTED_PAIRS
    assert len(pairs) == 22
    # independent check against the raw text: one byline line per expert answer
    assert sum(1 for ln in RAW.read_text(encoding="utf-8").splitlines() if ln.startswith("@")) == 22


def test_topic_2_answered_elsewhere(faq):
    t2 = faq["topics"][1]
    assert t2["answers"] == []
    assert t2["description"].endswith("点击下面的标题即可回顾阅读:")


def test_bylines(faq):
    a = faq["topics"][0]["answers"]
    assert a[0] == {
        "handle": "某银行",
        "byline": "@某银行 技术经理:",
        "org_title": "技术经理",
        "text": a[0]["text"],
    }
    assert a[0]["text"].startswith("是使用原生还是定制就要看企业实力了。")
    assert a[1]["org_title"] == "某股份制银行 系统架构师"
    nameless = faq["topics"][2]["answers"][0]
    assert nameless["byline"] == "@nameless 某云计算厂商 技术总监 :"
    assert nameless["org_title"] == "某云计算厂商 技术总监"
    for t in faq["topics"]:
        for a in t["answers"]:
            assert a["byline"].startswith("@" + a["handle"])
            assert a["text"].strip() and "@" not in a["text"]


def test_no_pinyin_left(all_text):
    assert not PINYIN_LEFTOVER.search(all_text)
    assert not re.search(rf"[{TONED}]", all_text)


def test_no_mojibake(all_text):
    assert not PRIVATE_USE.search(all_text)
    assert "</p>" not in all_text and "/p>" not in all_text
    # every '?' is a real question mark: never followed by latin letters, '/', or another '?'
    assert not re.search(r"\?[A-Za-z/?]", all_text.replace("?Docker", ""))
    assert "?Docker实例" in all_text  # the one real '?' followed by latin text
    assert not (set(all_text) & MOJIBAKE_CHARS)
    for fixed in ["了。可以使用ingress", "帮我们全换成", "因为二层的广播", "因为企业的网络", "因为它的规模性",
                  "监控数据到prometheus", "查询容器在哪台宿主机", "纯三层的各种限制", "蚂蚁作大规模发布",
                  "1. 感知底层拓扑\n"]:  # fmt: skip
        assert fixed in all_text


def test_simplified_only(all_text):
    for ch in "網設個們點體這說與發現實據為應機務":
        assert ch not in all_text
    assert to_simplified(all_text) == all_text
    assert "著" not in all_text  # 随着 / 跟着 / 结合着 fixed via corrections.tsv


def test_real_parentheses_survive(all_text):
    assert "服务网格(Service Mesh)" in all_text
    assert "(其实没必要,网络隔离," in all_text
    assert "(注册中心等,是否开发测试云通用一套服务?)" in all_text


def test_boilerplate_dropped(faq, all_text):
    for junk in ["分享网址", "分享文章", "028-86922220", "631063699", "广告", "声明", "成都网", "Docker容器云k8s",
                 "2022-10-08", "分类:"]:  # fmt: skip
        assert junk not in all_text, junk
    assert faq["topics"][-1]["answers"][-1]["text"].endswith("可以考虑在Service Mesh层实现。")
    assert faq["intro"].startswith("随着云计算、DevOps和微服务应用架构的发展")
    assert faq["intro"].endswith("整理者:gavin_zhang")


def test_no_trailing_whitespace_or_blank_lines(all_text):
    for ln in all_text.split("\n"):
        assert ln == ln.rstrip()


def test_rebuild_reproduces_committed_json():
    rebuilt = dump_faq(build_faq(RAW, CORRECTIONS))
    assert rebuilt == FAQ_JSON.read_text(encoding="utf-8")
    assert rebuild_corpus(check=True) == 0
    from kbqa.corpus.clean import main  # what `kbqa corpus --check` calls

    assert main(["--check"]) == 0


def test_check_detects_drift(tmp_path):
    for p in (RAW, CORRECTIONS, RULES, FAQ_JSON):
        shutil.copy(p, tmp_path / p.name)
    assert rebuild_corpus(check=True, corpus_dir=tmp_path) == 0
    (tmp_path / "faq.json").write_text(FAQ_JSON.read_text(encoding="utf-8").replace("技术经理", "X"), encoding="utf-8")
    assert rebuild_corpus(check=True, corpus_dir=tmp_path) == 1
    assert rebuild_corpus(check=False, corpus_dir=tmp_path) == 0
    assert (tmp_path / "faq.json").read_text(encoding="utf-8") == FAQ_JSON.read_text(encoding="utf-8")


def test_loader_units():
    f = load_faq(FAQ_JSON)
    assert f.title == "Docker+k8s容器云建设中10个常见难点"
    assert len(f.topics) == 10
    assert len(f.units) == 32
    assert sum(u.kind == "question" for u in f.units) == 10
    assert sum(u.kind == "answer" for u in f.units) == 22
    ids = [u.id for u in f.units]
    assert len(set(ids)) == 32
    assert ids[:3] == ["t1", "t1/某银行", "t1/gavin_zhang"]
    assert "t4/xiaoping378" in ids and "t2" in ids
    u = next(u for u in f.units if u.id == "t1/gavin_zhang")
    assert (u.kind, u.topic, u.expert, u.expert_title) == ("answer", 1, "gavin_zhang", "某股份制银行 系统架构师")
    assert u.topic_title == f.topics[0].title
    q1 = next(u for u in f.units if u.id == "t1")
    assert q1.text == f.topics[0].title + "\n" + f.topics[0].description
    assert q1.expert == "" and q1.expert_title == ""
    assert re.fullmatch(r"[0-9a-f]{64}", f.sha256)
    with pytest.raises(AttributeError):
        f.title = "x"  # frozen


def test_loader_raw_txt_matches_json():
    assert load_faq(RAW) == load_faq(FAQ_JSON)


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.pop("title"), "title"),
        (lambda d: d.pop("topics"), "topics"),
        (lambda d: d["topics"][3].pop("n"), "topics[3].n"),
        (lambda d: d["topics"][0].pop("title"), "topics[0].title"),
        (lambda d: d["topics"][0].pop("description"), "topics[0].description"),
        (lambda d: d["topics"][1].pop("answers"), "topics[1].answers"),
        (lambda d: d["topics"][3]["answers"][2].pop("handle"), "topics[3].answers[2].handle"),
        (lambda d: d["topics"][3]["answers"][2].pop("text"), "topics[3].answers[2].text"),
        (lambda d: d["topics"][3]["answers"][2].pop("org_title"), "topics[3].answers[2].org_title"),
        (lambda d: d["topics"][0].__setitem__("n", "1"), "topics[0].n"),
    ],
)
def test_loader_rejects_missing_fields(tmp_path, faq, mutate, field):
    d = copy.deepcopy(faq)
    mutate(d)
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError) as ei:
        load_faq(p)
    msg = str(ei.value)
    assert f"'{field}'" in msg and "\n" not in msg


def test_loader_rejects_other_suffix(tmp_path):
    p = tmp_path / "faq.yaml"
    p.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError):
        load_faq(p)


def test_every_correction_row_is_used(all_text):
    rows = load_corrections(CORRECTIONS)
    assert len(rows) == 13
    stripped = strip_pinyin(RAW.read_text(encoding="utf-8"))
    for c in rows:
        assert c.garbled in stripped, c.garbled
        assert c.note
        assert to_simplified(c.intended) == c.intended  # intended text is already Simplified
        # the corrected words reach the output (context chars are converted by t2s)
        assert c.intended in all_text or c.intended.replace("了。", "") in all_text, c.intended


def test_stale_correction_fails_loudly():
    raw = RAW.read_text(encoding="utf-8")
    rows = list(load_corrections(CORRECTIONS)) + [Correction("不存在的乱码?xyz", "x", "stale")]
    with pytest.raises(ValueError, match="不存在的乱码"):
        clean_text(raw, rows, load_rules(RULES))


def test_stale_boilerplate_rule_fails_loudly():
    raw = RAW.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="never-there"):
        clean_text(raw, load_corrections(CORRECTIONS), [LineRule("cut_from", "never-there")])


def test_pinyin_regex_only_hits_toned_parentheses():
    assert strip_pinyin("建設(shè)中10個(gè)") == "建設中10個"
    assert strip_pinyin("網(wǎng)絡(luò) (Service Mesh) (圖片、視頻和文字) (de) (a b)") == "網絡 (Service Mesh) (圖片、視頻和文字) (de) (a b)"
    raw = RAW.read_text(encoding="utf-8")
    assert len(PINYIN_RE.findall(raw)) == 908


SYNTHETIC = """\
運維常見問(wèn)題兩則

2023-01-01    分類: 網站建設(shè)

本文整理(lǐ)了兩個(gè)問題。

1、如何備份(fèn)數據(jù)?

【問題描述】我們有很多數據(jù),需要定期備份。步驟如下:

1、每天全量

2、每小時(shí)增量

@alice 某公司 運維工程師:

建議使用快照(Snapshot),再同步(bù)到異地。

1、先做快照

2、再同步

@alice 某公司 運維工程師:

補充(chōng)一點(diǎn):要演練恢復(fù),比如:

1、每月一次

2、監控(kòng)怎么做?

@bob 架構師 :

用Prometheus采集監控?cái)?shù)據。

相關(guān)標簽

分享網址:http://example.com/x.html
"""


def test_synthetic_article_same_shape(tmp_path):
    rules = [
        LineRule("drop_line", r"\d{4}-\d{2}-\d{2}\s+分类:.*"),
        LineRule("cut_from", "相关标签"),
    ]
    text = clean_text(SYNTHETIC, [("?cái)?shù)", "数", "mojibake")], rules)
    assert "分享" not in text and "2023-01-01" not in text
    d = parse_article(text)
    assert d["title"] == "运维常见问题两则"
    assert d["intro"] == "本文整理了两个问题。"
    assert [t["n"] for t in d["topics"]] == [1, 2]
    t1, t2 = d["topics"]
    assert t1["title"] == "如何备份数据?"
    assert t1["description"] == "我们有很多数据,需要定期备份。步骤如下:\n1、每天全量\n2、每小时增量"
    assert [a["handle"] for a in t1["answers"]] == ["alice", "alice"]
    assert t1["answers"][0]["text"] == "建议使用快照(Snapshot),再同步到异地。\n1、先做快照\n2、再同步"
    assert t1["answers"][0]["org_title"] == "某公司 运维工程师"
    assert t2 == {
        "n": 2,
        "title": "监控怎么做?",
        "description": "",
        "answers": [{"handle": "bob", "byline": "@bob 架构师 :", "org_title": "架构师", "text": "用Prometheus采集监控数据。"}],
    }

    # the same article as a raw .txt beside its data files loads through load_faq
    (tmp_path / "article.txt").write_text(SYNTHETIC, encoding="utf-8")
    (tmp_path / "corrections.tsv").write_text("# comment\ngarbled\tintended\tnote\n?cái)?shù)\t数\ttest row\n", encoding="utf-8")
    (tmp_path / "boilerplate.tsv").write_text(
        "kind\tpattern\tnote\n"
        "drop_line\t\\d{4}-\\d{2}-\\d{2}\\s+分类:.*\tdate\n"
        "cut_from\t相关标签\ttags\n",
        encoding="utf-8",
    )
    f = load_faq(tmp_path / "article.txt")
    assert [u.id for u in f.units] == ["t1", "t1/alice", "t1/alice#2", "t2", "t2/bob"]
    assert f.units[-1].expert_title == "架构师"
    assert f.units[3].text == "监控怎么做?"
    assert f.units[2].text == "补充一点:要演练恢复,比如:\n1、每月一次"
