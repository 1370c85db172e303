"""Text normalisation, script detection and segmentation, shared by corpus indexing and queries.

Queries and corpus go through the same ``normalise()``: NFKC (full-width -> half-width), Traditional ->
Simplified (OpenCC t2s; tw2sp for text written in Traditional, so that Taiwan's words become the Simplified ones: 網路 ->
网络, 叢集 -> 集群), Latin lower-case, control characters dropped, whitespace collapsed.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata

from kbqa.text.memo import text_cache

# Also lone surrogates ("\ud800" is valid JSON): they cannot be encoded as UTF-8 and would crash the tokenisers.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff\ud800-\udfff]")
_TAG = re.compile(r"</?[a-z][^>]{0,200}>")  # HTML tags in a question are markup, not content
_SPACE = re.compile(r"\s+")
_SPACES = re.compile(r"\s\s|[^\S ]")  # whitespace that collapsing changes (not a single space)
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # a Chinese character
_CJK = re.compile(_HAN)
_WORD = re.compile(rf"[a-z0-9][a-z0-9_.+#-]*[a-z0-9+#]|[a-z0-9]|{_HAN}+")
_CJK_WORD = re.compile(rf"{_HAN}+")
_CJK_RUN = re.compile(rf"{_HAN}{{2,}}")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n+")

# Function words and question words that carry no topic; a small hand-kept list (not tuned on eval).
STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 嘛 么 是 在 有 和 与 及 或 也 就 都 而 又 还 要 会 能 可以 可 该 应该 应 需要 需 一个 一些
    这 那 这个 那个 这些 那些 这样 那样 什么 怎么 怎样 怎么样 如何 为什么 哪些 哪个 哪种 哪 吗 么 呢 我 我们 你 你们 他 他们
    它 大家 请问 请 问 一下 下 做 用 去 来 到 把 被 给 让 对 对于 关于 从 上 中 里 里面 时 时候 后 前 之 其 等 等等 个 种 些 多
    什么样 好 比较 更 最 很 太 非常 一般 如果 但是 但 所以 因为 然后 以及 还是 是否 不 没 没有 能否 有没有 到底 究竟
    the a an of to in on for and or is are be do does how what which why when where can should i we you it with
    my our your me us this that these those vs about into from by as at any some bit bits part parts piece section
    啥 咋 出来""".split()
)


@functools.lru_cache(maxsize=4)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def clean(text: str) -> str:
    """Drop control and zero-width characters, collapse whitespace. Keeps case and script."""
    text = _CONTROL.sub(" ", text) if _CONTROL.search(text) else text
    return _SPACE.sub(" ", text).strip() if _SPACES.search(text) else text.strip()


_DECORATION = {0xFE0F: None, 0xFE0E: None, 0x20E3: None}  # emoji/text presentation selectors, the keycap of "6️⃣"
_DECORATED = re.compile("[\ufe0e\ufe0f\u20e3]")
# the full-width forms of ASCII and the ideographic space: NFKC gives their ASCII (a message's "，？：" are these)
_WIDE = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "}
_WIDE_RE = re.compile("[\uff01-\uff5e\u3000]")


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, quicker: a text already in NFKC as it is, and the full-width forms of
    ASCII replaced by their NFKC (single characters of their own) before the rest is looked at. normalize() costs
    ~8 us on a Chinese question with a full-width comma; these, ~2 us."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    text = _WIDE_RE.sub(lambda m: _WIDE[m.group()], text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)
# Taiwan words that tw2sp turns into a mainland word meaning something else in Hong Kong's and banks' usage: 核心 is
# "core" (核心系統, 核心區), not 内核 "kernel"; 文件 is a file, not 文档 "document"; 儲存 is storage, the mainland's 存储
# (tw2sp says 保存, "to save"). Kept (as their Simplified words) while the rest of the text takes tw2sp's phrases.
_KEEP_TW = {"核心": "核心", "文件": "文件", "儲存": "存储", "储存": "存储"}
_KEEP_TW_RE = re.compile("|".join(_KEEP_TW))
# Taiwan's IT words that tw2sp leaves as they are (after it, in Simplified characters): the mainland's words for them
_TW_IT = {"负载平衡": "负载均衡", "快取": "缓存", "预设": "默认", "网络卡": "网卡",
          "磁碟": "磁盘", "伺服器": "服务器", "容错移转": "故障转移",
          "介面": "接口"}
_TW_IT_RE = re.compile("|".join(sorted(_TW_IT, key=len, reverse=True)))
# ... and those of them that keep their length, for the characters-only form routing reads (``tail`` maps it back
# character for character): Taiwan's 網路 is the mainland's 网络, 叢集 集群, 伺服器 服务器
_TW_SAME = {"网路": "网络", "丛集": "集群", "伺服器": "服务器"}
_TW_SAME_RE = re.compile("|".join(_TW_SAME))


@text_cache(maxsize=8192)  # pure; one ask normalises the same few strings dozens of times
def normalise(text: str, lower: bool = True, phrases: bool = True) -> str:
    """The one normalisation used for matching (never for display). The dense model keeps case (lower=False).
    ``phrases=False`` converts Traditional characters and a few words of the same length only (routing: Taiwan's 資料
    is "material", not 数据)."""
    raw, text = _simplified(text)
    if phrases and text != raw:  # written in Traditional: Taiwan's words too, as Simplified says them (網路 -> 网络)
        src = raw.replace("\ue000", " ")  # each kept word replaced by a private-use mark OpenCC leaves alone, put back
        kept = _KEEP_TW_RE.findall(src)
        text = _opencc("tw2sp").convert(_KEEP_TW_RE.sub("\ue000", src))
        text = re.sub("\ue000", lambda _: _KEEP_TW[kept.pop(0)] if kept else " ", text)
        text = _TW_IT_RE.sub(lambda m: _TW_IT[m.group()], text)
    elif text != raw:
        text = _TW_SAME_RE.sub(lambda m: _TW_SAME[m.group()], text)
    return text.lower() if lower else text


@text_cache(maxsize=8192)  # the same text is normalised with different flags (lower, phrases)
def _simplified(text: str) -> tuple[str, str]:
    """The text cleaned and in NFKC, and that in Simplified characters (OpenCC t2s)."""
    raw = clean(_nfkc(text))
    raw = raw.translate(_DECORATION) if _DECORATED.search(raw) else raw
    return raw, _opencc("t2s").convert(raw)


def is_traditional(text: str) -> bool:
    """True when the text is written in Traditional characters (more characters change under t2s than s2t)."""
    to_s = _opencc("t2s").convert(text)
    to_t = _opencc("s2t").convert(text)
    changed_by_t2s = sum(a != b for a, b in zip(text, to_s))
    changed_by_s2t = sum(a != b for a, b in zip(text, to_t))
    return changed_by_t2s > 0 and changed_by_t2s >= changed_by_s2t


def to_traditional(text: str) -> str:
    return _opencc("s2t").convert(text)


def to_simplified(text: str) -> str:
    """OpenCC t2s only: no case, width or whitespace change (for comparing as shared/eval/check_conv.py does)."""
    return _opencc("t2s").convert(text)


def cjk_share(text: str) -> float:
    """Share of Chinese characters among the letters of a text (1.0 = all Chinese, 0.0 = e.g. English)."""
    letters = sum(map(str.isalpha, text))
    return sum(map(str.isalpha, _CJK.findall(text))) / letters if letters else 0.0


def tail(question: str, normalised: str, start: int) -> str:
    """The question from position ``start`` of ``normalised`` (the question as ``normalise(question, phrases=False)``
    gives it), in the question's own script and case when normalising changed only those (the same length, character
    for character), else the normalised text's."""
    raw = _SPACE.sub(" ", question.strip())
    return raw[start:] if len(raw) == len(normalised) else normalised[start:]


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def is_cjk_word(text: str) -> bool:
    return _CJK_WORD.fullmatch(text) is not None


def segments(text: str) -> list[str]:
    """jieba's (precise mode, new-word discovery on) words of the Chinese runs of normalised text: a typo
    such as 苍库 (for 仓库) comes out as one word; search-mode words() also splits long words into their parts."""
    return [w for piece in _CJK_RUN.findall(normalise(text)) for w in segment(piece)]


@functools.lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


# jieba's own range of Chinese characters: it cuts runs of these, and gives any other character as a word of its own
_JIEBA_HAN = re.compile("([^\u4e00-\u9fd5])")


@functools.lru_cache(maxsize=1)
def _segmenter():
    """jieba's cut and search-mode cut of a run of Chinese characters. rjieba (jieba-rs: jieba's dictionary, HMM and
    search mode, in Rust) when it is installed: the same words, about 8x faster (tests/unit/text/test_segment.py);
    else jieba itself."""
    try:
        import rjieba
    except ImportError:
        jieba = _jieba()
        return jieba.lcut, jieba.lcut_for_search

    def fast(cut):  # jieba-rs counts more characters as Chinese than jieba (CJK extension A): those alone, as jieba
        return lambda run: [w for x in _JIEBA_HAN.split(run) if x for w in ([x] if _JIEBA_HAN.fullmatch(x) else cut(x))]
    return fast(rjieba.cut), fast(rjieba.cut_for_search)


def segment(run: str, search: bool = False) -> list[str]:
    """jieba's words of a run of Chinese characters (``search``: its search mode, long words with their parts)."""
    return _segmenter()[search](run)


def tagged_words(tags: str) -> frozenset[str]:
    """The words of jieba's dictionary whose part-of-speech tag starts with one of ``tags`` ("d" adverbs, "r"
    pronouns...). Read from the dictionary file: jieba.posseg's table of every word's tag costs ~50 MB and
    half a second, and the only question asked of it is whether a word is of a few tags."""
    return _tagged_words(tuple(tags))


@functools.lru_cache(maxsize=4)
def _tagged_words(tags: tuple[str, ...]) -> frozenset[str]:
    import os

    import jieba  # (its dictionary file only: not loaded as a segmenter)

    path = jieba.dt.dictionary or os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    out = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2].startswith(tags):
                out.add(parts[0])
    return frozenset(out)


def words(text: str) -> list[str]:
    """Content words of normalised text: jieba search-mode words and whole Latin words (k8s, docker)."""
    return list(_words(text))


@text_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for piece in _WORD.findall(_TAG.sub(" ", normalise(text))):
        if _CJK.match(piece):
            out.extend(_search_words(piece))
        elif piece not in STOPWORDS and not piece.isdigit():
            out.append(piece)
    return tuple(out)


@text_cache(maxsize=8192)  # a message's parts and what is left of it without its cues share most of its Chinese runs
def _search_words(run: str) -> tuple[str, ...]:
    return tuple(w for w in segment(run, search=True) if w.strip() and w not in STOPWORDS)


def tokens(text: str) -> list[str]:
    """BM25 tokens: ``words()`` plus character bigrams of the Chinese content spans.

    A content span is a run of jieba words with the stopwords cut out; its bigrams make the lexical side
    robust to segmentation differences and one-character typos. Bigrams equal to a word are not repeated.
    """
    out = words(text)
    seen = set(out)
    for piece in _CJK_RUN.findall(normalise(text)):
        span = ""
        for w in segment(piece) + [""]:
            if w and w not in STOPWORDS:
                span += w
                continue
            out.extend(b for b in (span[i:i + 2] for i in range(len(span) - 1)) if b not in seen)
            span = ""
    return out


def sentences(text: str) -> list[str]:
    """Split an expert answer into sentences and numbered items, keeping the original wording."""
    parts = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        for s in _SENTENCE_END.split(line):
            s = s.strip()
            if s:
                parts.append(s)
    return parts
