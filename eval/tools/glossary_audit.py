"""Which glossary entries and pinyin-typo repairs each eval question uses: dev vs the old (tuned-on) test split.

    python eval/tools/glossary_audit.py [--glossary corpus/glossary.tsv] [--dev eval/dev.jsonl]
                                        [--old eval/dev_oldtest.jsonl] [--check]

Matching is the glossary's own (``kbqa.retrieval.glossary.Glossary.matches``, on the whole glossary, so a
longer term shadows a shorter one inside it, and English spellings with one Snowball stem are one key).
Prints, per matched key, the dev and old-test ids; the keys that match old-test questions only (the
entries issue 18 asks to drop); the pinyin-typo repairs that fire and the fuzzy-pinyin pair each needed.
``--check`` exits 1 when a key matches old-test questions only, a line lacks its provenance column, a ``dev``
provenance names an id that no term of its line matches, or a FAQ word on the right is not in the FAQ. Never pass the new test split here: its
questions are not read to choose anything.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kbqa.corpus.loader import load_faq  # noqa: E402
from kbqa.retrieval.glossary import (_FUZZY_FINALS, _FUZZY_INITIALS, Glossary, Homophones,  # noqa: E402
                                     stem_latin)
from kbqa.text.normalise import STOPWORDS, normalise, segments, words  # noqa: E402

PROVENANCE = re.compile(r"^(corpus|dev( own-dev-\d+)+)$")


def rows(path) -> list[dict]:
    return [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]


def key_of(g: Glossary, term: str) -> str:
    """The matcher's key for a (normalised) term: the first term with its stem for English, else itself."""
    for m in g.matches(term):
        return m.term
    return term


def glossary_hits(g: Glossary, items: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in items:
        for m in g.matches(r["question"]):
            out.setdefault(m.term, []).append(r["id"])
    return out


def lines_of(path) -> list[tuple[int, list[str], str, str]]:
    """(line number, normalised terms, words column, provenance column) of every entry line."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        left, _, rest = line.partition("\t")
        right, _, prov = rest.partition("\t")
        out.append((n, [normalise(t) for t in left.split("|") if t.strip()], right, prov.strip()))
    return out


def fuzzy_pairs_used(typo: str, fix: str) -> list[str]:
    """The fuzzy-pinyin pairs that make ``typo`` sound like ``fix`` (syllable by syllable)."""
    from pypinyin import Style, lazy_pinyin

    used = []
    for a, b in zip(lazy_pinyin(typo, style=Style.NORMAL), lazy_pinyin(fix, style=Style.NORMAL)):
        if a == b:
            continue
        for x, y in _FUZZY_INITIALS:
            if {a[:len(x)], b[:len(y)]} == {x, y} or (a.startswith(x) != b.startswith(x) and
                                                        (a.startswith(y) or b.startswith(y))):
                used.append(f"{x}/{y}")
                break
        for x, y in _FUZZY_FINALS:
            if a.endswith(x) != b.endswith(x) and (a.endswith(y) or b.endswith(y)):
                used.append(f"{x}/{y}")
                break
    return used


def homophone_fixes(items: list[dict], vocab: set[str], known: set[str]) -> list[tuple[str, str, str, list[str]]]:
    h = Homophones(vocab)
    out = []
    for r in items:
        for w in segments(r["question"]):
            if w in known or w in STOPWORDS:
                continue
            for fix in h.fixes(w):
                out.append((r["id"], w, fix, fuzzy_pairs_used(w, fix)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--glossary", default=str(ROOT / "corpus" / "glossary.tsv"))
    ap.add_argument("--dev", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--old", default=str(ROOT / "eval" / "dev_oldtest.jsonl"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    if Path(args.old).name == "test.jsonl" or Path(args.dev).name == "test.jsonl":
        ap.error("the test split is never used to choose glossary entries")
    g = Glossary.load(Path(args.glossary))
    dev, old = rows(args.dev), rows(args.old)
    d, o = glossary_hits(g, dev), glossary_hits(g, old)
    problems = []
    print(f"glossary {args.glossary}: {len(g)} terms; dev {len(dev)} questions, old test {len(old)}")
    print("\nkey | dev ids | old-test ids")
    for k in sorted(set(d) | set(o)):
        print(f"  {k} | {' '.join(d.get(k, [])) or '-'} | {' '.join(o.get(k, [])) or '-'}")
    only_old = sorted(set(o) - set(d))
    print(f"\nmatch old-test questions only ({len(only_old)}): {', '.join(only_old) or 'none'}")
    problems += [f"key {k!r} matches old-test questions only ({' '.join(o[k])})" for k in only_old]

    # provenance column: corpus, or dev ids that a term of the line matches
    for n, terms, _, prov in lines_of(args.glossary):
        if not PROVENANCE.match(prov):
            problems.append(f"line {n}: provenance column missing or malformed: {prov!r}")
            continue
        keys = {key_of(g, t) for t in terms}
        matched = {i for k in keys for i in d.get(k, [])}
        for i in prov.split()[1:]:
            if i not in matched:
                problems.append(f"line {n}: provenance names {i}, which no term of the line matches")
        if prov == "corpus" and matched:
            problems.append(f"line {n}: says corpus but matches dev {' '.join(sorted(matched))}")

    faq = load_faq(ROOT / "corpus" / "faq.json")
    corpus_text = normalise("\n".join([faq.title, faq.intro] + [u.topic_title + "\n" + u.text for u in faq.units]
                                     + [u.expert + " " + u.expert_title for u in faq.units]))  # who answered: FAQ words
    problems += [f"FAQ word {w!r} does not occur in the FAQ" for w in sorted({w for ws in g.entries.values()
                                                                             for w in ws}) if w not in corpus_text]
    vocab: set[str] = set()
    for u in faq.units:
        vocab.update(words(u.topic_title + "\n" + u.text))
    from kbqa.retrieval.coverage import with_substrings

    known = with_substrings(vocab)
    print("\npinyin-typo repairs (id: typo -> FAQ word, fuzzy pairs needed)")
    for name, items in (("dev", dev), ("old test", old)):
        fixes = homophone_fixes(items, vocab, known)
        print(f"  {name}: {len(fixes)}")
        for i, w, fix, pairs in fixes:
            print(f"    {i}: {w} -> {fix} ({', '.join(pairs) or 'same toneless pinyin'})")
    if problems:
        print("\nproblems:\n  " + "\n  ".join(problems))
    return 1 if (args.check and problems) else 0


if __name__ == "__main__":
    sys.exit(main())
