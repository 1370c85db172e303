"""How much of a question the FAQ knows: its words found in the FAQ's vocabulary, as words, inside longer words, or
through glossary aliases (the ``cov_*`` features of ``Retriever.search``)."""
from __future__ import annotations

import re

from kbqa.retrieval.glossary import stem_latin


def with_substrings(vocab: set[str], longest: int = 12) -> set[str]:
    """Every substring (2..longest chars) of every word: lets share_known() test "inside a longer word" in O(1)."""
    out: set[str] = set()
    for w in vocab:
        w = w[:longest * 2]
        for i in range(len(w)):
            for j in range(i + 2, min(len(w), i + longest) + 1):
                out.add(w[i:j])
    return out


def share_known(qwords: set[str], vocab: set[str], known: set[str] | None = None,
              aliases: dict[str, list[list[str]]] | None = None) -> float:
    """Share of qwords found in vocab, as a word or (2+ characters) inside a longer word, or through a
    glossary alias all of whose words are found. ``known`` is the precomputed substring set of a large
    vocabulary (``with_substrings``); a small one is scanned."""
    def found(w: str) -> bool:
        if w in vocab:
            return True
        if len(w) < 2:
            return False
        return w in known if known is not None else any(w in v for v in vocab if len(v) > len(w))

    def found_or_alias(w: str) -> bool:
        return found(w) or bool(aliases) and any(all(found(x) for x in alt)
                                                 for alt in aliases.get(stem_latin(w), ()))

    return sum(1 for w in qwords if found_or_alias(w)) / len(qwords) if qwords else 0.0


def _deletions(word: str, k: int) -> set[str]:
    out, edge = {word}, {word}
    for _ in range(k):
        edge = {w[:i] + w[i + 1:] for w in edge for i in range(len(w))}
        out |= edge
    return out


class LatinNeighbours:
    """Is a Latin word one or two typos from one of the FAQ's own ("flanel", "kubenets", "openshfit")? Deletion
    neighbourhoods (SymSpell's): two words within edit distance k share a string made by k or fewer deletions from
    each; k is 1 for words of five letters or fewer ("mtu" is not "mt"), else 2. It may also call a few words two
    edits further apart near: the safe side, as a near word is taken for a typo, not a new subject."""

    def __init__(self, vocab: set[str]) -> None:
        self._keys: set[str] = set()
        for w in vocab:
            if w.isascii() and w[:1].isalpha():
                self._keys |= _deletions(w, self.k(w))

    @staticmethod
    def k(word: str) -> int:
        return 1 if len(word) <= 5 else 2

    def near(self, word: str) -> bool:
        """A typo of a known word, or a compound of known ones ("nsx-t": its parts of three letters or more)."""
        if self._close(word):
            return True
        parts = [p for p in re.split(r"[-+&/._]", word) if len(p) >= 3]
        return bool(parts) and parts != [word] and all(self._close(p) for p in parts)

    def _close(self, word: str) -> bool:
        return not self._keys.isdisjoint(_deletions(word, self.k(word)))
