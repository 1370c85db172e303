"""Query expansion: the knowledge base's glossary (users' terms -> the FAQ's words) and pinyin-typo repair."""
from pathlib import Path

import pytest

from kbqa.engine import Engine
from kbqa.retrieval.glossary import Glossary, Homophones, sound, stem_latin
from kbqa.retrieval.retriever import Retriever
from kbqa.settings import REPO_ROOT, Settings


def glossary(tmp_path: Path, text: str) -> Glossary:
    p = tmp_path / "glossary.tsv"
    p.write_text(text, encoding="utf-8")
    return Glossary.load(p)


def terms(g: Glossary, q: str) -> list[str]:
    return [m.term for m in g.matches(q)]


def test_file_format_comments_aliases_and_bad_lines(tmp_path, caplog):
    g = glossary(tmp_path, "# a comment\n\nHA|High Availability\t高可用\tdev own-dev-1\nbare metal\t裸机|物理机\n"
                           "no tab here\n\t空词条\nfailover\t\n容災\t故障轉移\n")
    assert g.entries == {"ha": ("高可用",), "high availability": ("高可用",), "bare metal": ("裸机", "物理机"),
                         "容灾": ("故障转移",)}  # normalised: lower case, Simplified
    assert "lines 5, 6, 7 skipped" in caplog.text


def test_missing_or_unreadable_file_is_an_empty_glossary(tmp_path):
    assert len(Glossary.load(tmp_path / "nope.tsv")) == 0
    assert len(Glossary.load(None)) == 0
    bad = tmp_path / "bin.tsv"
    bad.write_bytes(b"\xff\xfe\x00garbage\x80")
    assert len(Glossary.load(bad)) == 0
    assert Glossary().matches("anything") == []


def test_latin_terms_match_whole_words_and_word_forms(tmp_path):
    g = glossary(tmp_path, "ha\t高可用\ntracing\t链路\nbare metal\t裸机\nmetal\t金属\n")
    assert terms(g, "多 cluster 做 HA 吗") == ["ha"]
    assert terms(g, "hash sharding") == []  # not inside a word
    assert terms(g, "How do I trace calls?") == terms(g, "traces") == ["tracing"]  # Snowball stems
    assert terms(g, "bare metal nodes") == ["bare metal"]  # the longer term wins its span
    assert terms(g, "bare-metal") == terms(g, "bare metal") == ["bare metal"]  # a hyphen between words is a space
    assert terms(g, "bare-metals") == ["bare metal"] and terms(g, "bar-metal") == ["metal"]
    assert terms(g, "metal") == ["metal"]


def test_chinese_terms_match_anywhere_in_either_script(tmp_path):
    g = glossary(tmp_path, "容灾\t高可用|故障转移\n异地容灾\t故障转移\n")
    assert terms(g, "多集群容災怎麼做") == ["容灾"]  # Traditional input
    assert terms(g, "异地容灾方案") == ["异地容灾"]  # longest first; the shorter one inside is not repeated
    assert g.matches("集群容灾")[0].expansions == ("高可用", "故障转移")


def test_stem_latin_leaves_chinese_alone():
    assert stem_latin("tracing 链路 clusters k8s") == "trace 链路 cluster k8s"


def test_fuzzy_pinyin_hears_common_input_method_confusions():
    # typos from dev questions or made up from the FAQ's words; none from a test split
    assert sound("镜像") == sound("镜象")
    assert sound("转移") == sound("钻移")  # zhuan / zuan
    assert sound("链路") == sound("凉路")  # lian / liang
    assert sound("影响") == sound("映像") == sound("印象")  # ying / yin
    assert sound("发布") == sound("发部")
    assert sound("容器") != sound("镜像")


def test_homophones_fix_unknown_words_to_faq_words_only():
    h = Homophones({"影响", "印象", "转移", "容器", "docker", "故障转移"})
    assert set(h.fixes("映像")) == {"影响", "印象"}
    assert h.fixes("钻移") == ("转移",)
    assert h.fixes("影响") == ()  # a word is not its own typo
    assert h.fixes("docker") == h.fixes("机") == h.fixes("容器容器容器容器容器") == ()


# ---- in retrieval --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def retrievers(fake_engine):
    loaded = fake_engine.load()
    store, with_glossary = loaded.store, loaded.retriever
    without = Retriever(with_glossary.units, store, with_glossary.embedder)
    return with_glossary, without


def test_glossary_term_finds_the_experts_words_and_counts_as_known(retrievers):
    with_g, without = retrievers
    q = "bare metal or VMs?"
    assert without.search(q, "lexical").features["cov_any"] == 0.0
    got = with_g.search(q, "lexical")
    assert got.features["cov_any"] == 1.0 and got.hits[0].unit.topic == 7  # 裸机 / 虚拟机 are question 7's
    assert {"裸机", "虚拟机"} <= set(with_g.expand(q)[0])


def test_a_hyphenated_word_stands_for_its_glossary_parts_only_when_each_part_has_one(retrievers):
    with_g, _ = retrievers
    q = "Tell me about the multi-security-zone question"
    aliases = with_g.expand(q)[1]
    assert aliases["multi-secur-zone"] == aliases["secur"] + aliases["zone"]  # "multi" is a prefix; security zone -> 安全域
    assert with_g.coverage(["tell", "multi-security-zone", "question"], aliases) > with_g.coverage(
        ["tell", "multi-security-zone", "question"])
    assert not any("-" in k for k in with_g.expand("cattle-cluster-agent 连不上 server")[1])  # cattle, agent: no
    extra, aliases = with_g.expand("how do we lock down node-to-node traffic?")  # a phrase: its FAQ words
    assert aliases["node-to-node"] == [["node"]] and "node" in extra
    assert "东西向" in with_g.expand("how do we lock down pod-to-pod traffic?")[0]  # unless the glossary lists it
    assert "ingress-nginx" not in with_g.expand("ingress-nginx 偶发 502")[1]  # a name is not its parts


@pytest.mark.parametrize("question", ["did anyone talk about releasing in batches?", "batched releases for core banking"])
def test_releasing_in_batches_is_the_experts_fen_pi_fa_bu(retrievers, question):
    with_g, _ = retrievers
    assert {"分批", "发布"} <= set(with_g.expand(question)[0])


def test_compute_power_is_the_experts_compute_resources(retrievers):
    with_g, _ = retrievers
    assert {"计算", "资源"} <= set(with_g.expand("算力用虚机还是物理机")[0])


def test_pinyin_typo_is_searched_as_the_faq_word(retrievers):
    with_g, without = retrievers
    q = "多集群故障钻移"
    extra, aliases = with_g.expand(q)
    assert "转移" in extra and aliases["钻移"] == [["转移"]]
    assert with_g.coverage(["多", "集群", "故障", "钻移"], aliases) > without.coverage(["多", "集群", "故障", "钻移"])


def test_off_topic_words_get_no_expansion(retrievers):
    with_g, _ = retrievers
    for q in ("今天天气怎么样", "讲个笑话吧", "What is the capital of France?", "红烧肉怎么做才好吃"):
        assert with_g.expand(q) == ([], {}), q


def test_glossary_is_found_beside_the_corpus_and_can_be_turned_off(tmp_path):
    assert Settings().glossary_path == REPO_ROOT / "corpus" / "glossary.tsv"
    assert Settings(corpus=tmp_path / "other.json").glossary_path == tmp_path / "glossary.tsv"
    assert Settings.from_env({"KBQA_GLOSSARY": "none"}).glossary_path is None
    off = Engine(Settings(home=tmp_path, embedder="fake", glossary=Path("none")), progress=False)
    assert len(off.load().retriever.glossary) == 0


def test_shipped_glossary_says_how_every_entry_was_chosen_and_serves_dev_not_old_test(capsys):
    """eval/tools/glossary_audit.py --check: a provenance column on every line (corpus, or the dev
    questions it matches), no entry that only old-test questions match, every FAQ word in the FAQ."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("glossary_audit", REPO_ROOT / "eval" / "tools" / "glossary_audit.py")
    audit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(audit)
    rc = audit.main(["--check"])
    out = capsys.readouterr().out
    assert rc == 0, out[out.find("problems"):]
    assert "match old-test questions only (0)" in out


def test_an_adjective_in_ic_is_not_read_as_the_noun_snowball_cuts_it_with():
    from kbqa.retrieval.glossary import Glossary
    g = Glossary({"specifications": ("规范",)})
    assert g.matches("packets for one specific container") == []
    assert [m.term for m in g.matches("the platform specifications")] == ["specifications"]


def test_switching_to_the_other_set_of_clusters_is_failover(retrievers):
    with_g, _ = retrievers
    assert {"故障", "转移"} <= set(with_g.expand("主集群不可用时业务怎么切换到另一套")[0])
    assert "转移" not in with_g.expand("业务怎么切换到新版本")[0]


@pytest.mark.parametrize("question, faq_word", [
    ("how would we run our nightly scheduled scripts after the move", "定时任务"),
    ("what if a whole cluster dies at 2am", "故障转移"),
    ("our QA wants test envs faster", "开发测试"),
    ("how do we get a java stack out of a hung pod", "dump"),
    ("运维老想ssh进去看看", "docker exec"),
])
def test_everyday_english_for_the_faqs_terms(question, faq_word):
    from kbqa.text.normalise import normalise
    g = Glossary.load(REPO_ROOT / "corpus" / "glossary.tsv")
    assert any(faq_word in m.expansions for m in g.matches(normalise(question)))


def test_a_function_word_of_a_glossary_term_is_no_latin_neighbour(retrievers):
    """"pod-to-pod" puts "pod" among the Latin words a typo may be near, not "to": "RTO" is no typo of "to"."""
    from kbqa.retrieval.glossary import Glossary
    with_g, _ = retrievers
    r = Retriever(with_g.units, with_g.store, with_g.embedder, glossary=Glossary({"pod-to-pod": ("东西向",)}))
    assert r._latin.near("pods") and not r._latin.near("rto")
