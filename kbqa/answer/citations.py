"""What the model wrote, checked against its sources (LLM mode, ``answer.llm``): every sentence must cite a
given source ``[n]``; ``mode="flag"`` keeps the others, marked. Links, URLs and images that are not in the
sources are removed, and a sentence that carried one counts as unsupported. The model's "the sources do not
say" reply is recognised in either script."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

NOT_COVERED_REPLY = "资料未涉及"
FLAG_MARK = "（⚠️未核实）"


def not_covered_reply(traditional: bool) -> str:
    if traditional:
        from kbqa.text.normalise import to_traditional

        return to_traditional(NOT_COVERED_REPLY)
    return NOT_COVERED_REPLY


def says_not_covered(text: str) -> bool:
    """The model said the sources do not answer (rule 4)."""
    t = re.sub(r"[\s。.！!]", "", text or "")
    return t in (NOT_COVERED_REPLY, not_covered_reply(True)) or (len(t) <= 20 and ("未涉及" in t))


# ---- links ----------------------------------------------------------------------------------------
# What a markdown renderer (or Slack) would make a link or an image of: inline images and links, <autolinks>,
# bare URLs and e-mail addresses (GFM autolinks them), and reference definitions ("[x]: http://...").
_URL_BODY = r"[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+"
_LINKISH = re.compile(
    r"(?P<image>!\[(?P<alt>[^\]\n]*)\]\((?P<src>[^)\n]*)\))"
    r"|(?P<link>\[(?P<words>[^\]\n]*)\]\((?P<href>[^)\n]*)\))"
    r"|(?P<auto><(?P<target>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>)"
    r"|(?P<url>(?:\b[A-Za-z][A-Za-z0-9+.-]{1,31}://|\bwww\.)" + _URL_BODY + r")"
    r"|(?P<email>\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_REF_DEFINITION = re.compile(r"(?m)^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$")
_BARE = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]{1,31}://|\bwww\.)" + _URL_BODY)
_TRAILING = ".,;:!?'\""
LINK_REMOVED = "\ue000"  # marks, inside check_citations, where a link was taken out of a sentence


def _clean_url(url: str) -> str:
    url = url.strip().strip("<>").split()[0] if url.strip() else ""
    return url.rstrip(_TRAILING)


def source_urls(texts) -> frozenset[str]:
    """The URLs written in the sources: the only ones a generated answer may keep."""
    return frozenset(_clean_url(m.group(0)) for t in texts for m in _BARE.finditer(t or ""))


def strip_links(text: str, allowed=frozenset(), mark: str = LINK_REMOVED) -> tuple[str, int]:
    """``text`` with every link, URL and image that does not point at one of ``allowed`` taken out (a
    markdown link keeps its words, an image its alt text), ``mark`` left where one was; and how many."""
    removed = 0

    def gone(keep: str = "") -> str:
        nonlocal removed
        removed += 1
        return keep + mark

    def one(m: re.Match) -> str:
        if m.group("image"):
            return gone(m.group("alt"))  # never an image, whatever its address
        if m.group("link"):
            return m.group(0) if _clean_url(m.group("href")) in allowed else gone(m.group("words"))
        if m.group("auto"):
            return m.group(0) if _clean_url(m.group("target")) in allowed else gone()
        if m.group("url"):
            url = m.group("url")
            core = url.rstrip(_TRAILING)
            return url if core in allowed else gone() + url[len(core):]
        return gone()  # an e-mail address

    text = _REF_DEFINITION.sub(lambda m: gone(), text or "")
    return _LINKISH.sub(one, text), removed


# ---- the citation check ---------------------------------------------------------------------------
_MARK = re.compile(r"[\[【]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】]")
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+[\"”’』」）)]*(?:\s*" + _MARK.pattern + r")*|(?=\n)|$)")
_CONTENT = re.compile(r"[\w\u3400-\u9fff]")


@dataclass
class CitationReport:
    kept: int = 0
    removed: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)  # cited numbers that name no given source
    cited: list[int] = field(default_factory=list)  # valid numbers used by kept sentences
    not_covered: bool = False
    links_removed: int = 0  # links, URLs and images not from the sources, taken out

    @property
    def supported(self) -> bool:
        return self.kept > 0

    def to_dict(self) -> dict:
        return {"kept": self.kept, "removed": len(self.removed), "flagged": len(self.flagged),
                "invalid": sorted(set(self.invalid)), "cited": sorted(set(self.cited)),
                "not_covered": self.not_covered, "links_removed": self.links_removed}


def split_sentences(text: str) -> list[list[str]]:
    """Per line, its sentences (ending at 。！？!?), each with the [n] marks that follow its end."""
    return [[m.group(0) for m in _SENTENCE.finditer(line) if m.group(0)]
            for line in (text or "").replace("\r\n", "\n").split("\n")]


def _numbers(sentence: str) -> list[int]:
    return [int(x) for m in _MARK.finditer(sentence) for x in re.split(r"\s*[,，、]\s*", m.group(1))]


def _normalise_marks(sentence: str, valid: set[int] | None = None) -> str:
    """[1，2] / 【1】 -> [1][2] / [1]; with ``valid``, marks outside it are dropped."""
    def repl(m: re.Match) -> str:
        ns = [int(x) for x in re.split(r"\s*[,，、]\s*", m.group(1))]
        return "".join(f"[{n}]" for n in ns if valid is None or n in valid)

    return _MARK.sub(repl, sentence)


def check_citations(text: str, n_sources: int, mode: str = "remove", allowed_urls=frozenset()
                    ) -> tuple[str, CitationReport]:
    """Keep the sentences whose every [n] is within 1..n_sources and that cite at least one.

    ``mode="remove"`` drops every other sentence that says something; ``mode="flag"`` keeps it with its
    invalid marks dropped and ``FLAG_MARK`` appended. Lines with no words (list bullets, blank lines) stay
    when something around them stays. ``report.supported`` is False when no cited sentence is left.

    Links, URLs and e-mail addresses that are not among ``allowed_urls`` (see ``source_urls``), and every
    image, are taken out first, and a sentence that had one is treated as unsupported: "请点击
    [重置密码](https://evil.example/reset) 完成验证[1]。" is removed although it cites [1]."""
    report = CitationReport()
    if says_not_covered(text):
        report.not_covered = True
        return "", report
    text, report.links_removed = strip_links(text, frozenset(allowed_urls))
    valid = set(range(1, n_sources + 1))
    lines_out = []
    for pieces in split_sentences(text):
        kept_line = ""
        for s in pieces:
            prose = _MARK.sub("", s)
            if not _CONTENT.search(prose):  # punctuation, bullets, markdown: not a claim
                kept_line += (_normalise_marks(s, valid) if _MARK.search(s) else s).replace(LINK_REMOVED, "")
                continue
            ns = _numbers(s)
            bad = [n for n in ns if n not in valid]
            report.invalid += bad
            if LINK_REMOVED in s:  # it pointed somewhere the sources do not: not supported by them
                if mode == "flag":
                    report.flagged.append(s.replace(LINK_REMOVED, "").strip())
                    kept_line += _normalise_marks(s.replace(LINK_REMOVED, ""), valid).rstrip() + FLAG_MARK
                else:
                    report.removed.append(s.replace(LINK_REMOVED, "").strip())
                continue
            if ns and not bad:
                report.kept += 1
                report.cited += ns
                kept_line += _normalise_marks(s)
            elif mode == "flag":
                report.flagged.append(s.strip())
                kept_line += _normalise_marks(s, valid).rstrip() + FLAG_MARK
            else:
                report.removed.append(s.strip())
        lines_out.append(kept_line.rstrip())
    if not report.kept:
        return "", report
    out = "\n".join(lines_out)
    out = re.sub(r"\n{3,}", "\n\n", out)
    # A list bullet or heading left with nothing after it is noise.
    out = "\n".join(line for line in out.split("\n") if _CONTENT.search(line) or not line.strip())
    return out.strip(), report


# ---- follow-ups -----------------------------------------------------------------------------------
