"""Long cue regexes that first look for a literal every match must hold.

A cue pattern of a few hundred alternatives ("你是谁|背后是(?:哪家|…)|…") is tried at every position of a message,
and most messages hold none of its cues. ``fast`` reads the pattern (``re``'s own parser) for a set of strings one of
which any match must contain ("你是谁", "背后是", …; ``kbqa.text.literals``), and runs the pattern only when one of them
is in the text: one scan of the text finds the literals of every pattern (``literals.found``), instead of every
alternative tried at every position. Results are the same by construction (the literals are necessary, never
sufficient); a pattern without such a set is returned as it is.

A pattern of many alternatives, a few of which need a common literal ("你", "问题"), runs whole on most messages. ``fast``
cuts such a pattern into blocks of consecutive alternatives, each with its own literals (``Branched``), and runs only the
blocks whose literals the text holds. The leftmost match of those blocks, the earlier block on a tie, is the match of
the whole alternation: a block whose literal is absent matches nowhere. Each block of a pattern with groups keeps the
other alternatives' groups (in alternatives that never match), so that a match reads as the pattern's.
"""
from __future__ import annotations

import re
from re import _constants as C, _parser as P  # the parser ``re`` compiles with (stable since 3.11)

from kbqa.text.literals import found, needed, needed_literals, pattern_literals, register

_BLOCK = 4  # alternatives in a block of a ``Branched`` pattern (fewer: more blocks to run; more: weaker literals)
_MAX_BLOCKS_RUN = 3  # a text in which more blocks (and more than a third of them) may match: the whole pattern
_SHORT = 16  # a text this short is searched by the whole pattern (few places to try it at), when it has literals
_BRANCHED_LENGTH = 4000  # a shorter pattern is prefiltered whole (run in blocks, it gains less than the blocks cost)


def _marks(source: str):
    """The pattern source's "(", ")" and "|" outside character sets and escapes, each with its position and the depth
    of brackets it is at (after an opening one, before a closing one)."""
    depth, i, n = 0, 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":  # a set: "]" first in it is a literal, "|" and "(" are
            i += 1 + (source[i + 1:i + 2] == "^")
            i += source[i:i + 1] == "]"
            while i < n and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
        elif c == "(":
            depth += 1
            yield i, c, depth
        elif c == ")":
            yield i, c, depth
            depth -= 1
        elif c == "|":
            yield i, c, depth
        i += 1


def alternatives(source: str) -> list[str]:
    """The top-level alternatives of a pattern's source ("a|(?:b|c)|[|]" -> "a", "(?:b|c)", "[|]")."""
    bars = [i for i, c, depth in _marks(source) if c == "|" and depth == 0]
    return [source[a + 1:b] for a, b in zip([-1, *bars], [*bars, len(source)])]


_SPREAD = 8  # a nested alternation of this many alternatives or more is spread over the top level (``_spread``)


def _spread(source: str, flags: int) -> list[str]:
    """An alternative "P(?:A|B|…)S" whose prefix P only asserts (a lookbehind: it consumes nothing and matches one
    way) and whose P and S hold no groups, as "P(?:A)S", "P(?:B)S", …: the same matches in the same order of
    preference (A followed by S is tried before B), each with its own literals ("(?<![a-z])(?:who\\s+are\\s+you|…)"
    needs "who" or one of fifty other words, none alone). Else [source]."""
    marks = list(_marks(source))
    opening = next((k for k, (i, c, depth) in enumerate(marks) if c == "(" and depth == 1
                    and source.startswith("(?:", i)), None)
    if opening is None:
        return [source]
    start = marks[opening][0]
    end = next(i for i, c, depth in marks[opening + 1:] if c == ")" and depth == 1)
    bars = [i for i, c, depth in marks[opening + 1:] if c == "|" and depth == 1 and i < end]
    prefix, suffix = source[:start], source[end + 1:]
    if len(bars) + 1 < _SPREAD or suffix[:1] in ("?", "*", "+", "{"):  # "(?:…)?": a repeat, not one choice
        return [source]
    try:
        head, tail = P.parse(prefix, flags), P.parse(suffix, flags)
    except re.error:  # a reference to a group of the alternation
        return [source]
    if head.getwidth() != (0, 0) or head.state.groups > 1 or tail.state.groups > 1 or any(
            op not in (C.ASSERT, C.ASSERT_NOT, C.AT) for op, _ in head.data):
        return [source]
    inner = [source[a + 1:b] for a, b in zip([start + 2, *bars], [*bars, end])]
    out = [f"{prefix}(?:{alt}){suffix}" for alt in inner]
    return out if all(P.parse(x, flags).getwidth()[0] > 0 for x in out) else [source]


class Prefiltered:
    """A compiled pattern run only on texts that hold one of its needed literals; otherwise a ``re.Pattern``. The
    literals are looked for by ``kbqa.text.literals.found`` (one scan of a text for every pattern's), or by ``literals``
    (a pattern that ignores case)."""

    __slots__ = ("_re", "_needed", "_keys")

    def __init__(self, pattern: re.Pattern, literals: re.Pattern | None):
        self._re, self._needed = pattern, literals
        self._keys = register(pattern_literals(pattern)) if literals is not None and not (
            pattern.flags & re.IGNORECASE) else None

    def _holds(self, string: str) -> bool:
        """Is one of the needed literals in the text (always, when none is known)?"""
        if self._keys is not None:
            return not self._keys.isdisjoint(found(string))
        return self._needed is None or self._needed.search(string) is not None

    def search(self, string: str, *args):
        return self._re.search(string, *args) if self._holds(string) else None

    def match(self, string: str, *args):
        return self._re.match(string, *args) if self._holds(string) else None

    def fullmatch(self, string: str, *args):
        return self._re.fullmatch(string, *args) if self._holds(string) else None

    def sub(self, repl, string: str, count: int = 0) -> str:
        return self._re.sub(repl, string, count) if self._holds(string) else string

    def finditer(self, string: str, *args):
        return self._re.finditer(string, *args) if self._holds(string) else iter(())

    def findall(self, string: str, *args) -> list:
        return self._re.findall(string, *args) if self._holds(string) else []

    def split(self, string: str, maxsplit: int = 0) -> list:
        return self._re.split(string, maxsplit) if self._holds(string) else [string]

    def __getattr__(self, name: str):  # pattern, flags, groups, split…
        return getattr(self._re, name)

    def __repr__(self) -> str:
        return f"Prefiltered({self._re!r})"


class Branched(Prefiltered):
    """A pattern of many alternatives run as blocks of them (each prefiltered by its own literals): the same matches
    as the pattern, its groups included, and only the blocks whose literals are in the text run."""

    __slots__ = ("_blocks", "_always", "_blocks_of", "_most", "_whole")

    def __init__(self, pattern: re.Pattern, literals: re.Pattern | None,
                 blocks: list[tuple[re.Pattern, list[str] | None]]):
        super().__init__(pattern, literals)
        self._blocks = [b for b, _ in blocks]
        self._most = max(_MAX_BLOCKS_RUN, len(blocks) // 3)  # blocks run on a text; more: the whole pattern
        self._whole = [pattern]
        self._always = frozenset(i for i, (_, lits) in enumerate(blocks) if lits is None)
        blocks_of: dict[str, set[int]] = {}  # a literal -> the blocks that need it
        for i, (_, lits) in enumerate(blocks):
            for s in register(lits or ()):
                blocks_of.setdefault(s, set()).add(i)
        self._blocks_of = {s: frozenset(v) for s, v in blocks_of.items()}

    def _present(self, string: str) -> list[re.Pattern]:
        """The blocks that may match in the text, in order; the whole pattern for a short text that holds one of its
        literals, or when more than a few blocks may match (it stops at the first match, where each block would scan
        the text). A short text without such a literal runs only the blocks that need none (``REF``'s "^5 题")."""
        if not self._holds(string):
            return []
        blocks_of = self._blocks_of
        named = frozenset().union(*(blocks_of[k] for k in found(string) if k in blocks_of))
        if len(string) <= _SHORT and (named or self._needed is not None):
            return self._whole
        present = self._always | named
        return [self._blocks[i] for i in sorted(present)] if len(present) <= self._most else self._whole

    def search(self, string: str, *args):
        best = None
        for b in self._present(string):
            m = b.search(string, *args)
            if m is not None and (best is None or m.start() < best.start()):  # on a tie the earlier alternative
                best = m
        return best

    def match(self, string: str, *args):
        return next((m for b in self._present(string) if (m := b.match(string, *args))), None)

    def fullmatch(self, string: str, *args):
        return next((m for b in self._present(string) if (m := b.fullmatch(string, *args))), None)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None):
        blocks = self._present(string)
        if len(blocks) <= 1:
            return blocks[0].finditer(string, pos, len(string) if endpos is None else endpos) if blocks else iter(())
        return self._matches(blocks, string, pos, len(string) if endpos is None else endpos)

    @staticmethod
    def _matches(blocks: list[re.Pattern], string: str, pos: int, end: int):
        ahead = [b.search(string, pos, end) for b in blocks]  # each block's next match; no block matches empty
        while True:
            best = None
            for k, m in enumerate(ahead):
                if m is not None and m.start() < pos:  # overlapped by the match before: its next one
                    m = ahead[k] = blocks[k].search(string, pos, end)
                if m is not None and (best is None or m.start() < best.start()):
                    best = m
            if best is None:
                return
            yield best
            pos = best.end()

    def findall(self, string: str, *args) -> list:
        return [m.group() for m in self.finditer(string, *args)]

    def sub(self, repl, string: str, count: int = 0) -> str:
        blocks = self._present(string)
        if len(blocks) <= 1:
            return blocks[0].sub(repl, string, count) if blocks else string
        out, last = [], 0
        for n, m in enumerate(self._matches(blocks, string, 0, len(string)), 1):
            out += [string[last:m.start()], repl(m) if callable(repl) else m.expand(repl)]
            last = m.end()
            if n == count:
                break
        return "".join(out) + string[last:] if out else string


def branched(pattern: re.Pattern, literals: re.Pattern | None, block: int = _BLOCK,
             min_length: int = _BRANCHED_LENGTH) -> Branched | None:
    """``pattern`` as blocks of ``block`` consecutive alternatives, when it is long and no alternative matches empty.
    In a pattern with groups each block keeps the other alternatives' groups, in alternatives that never match, so
    that its matches have the pattern's groups."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or len(pattern.pattern) < min_length:
        return None
    sources = [x for alt in alternatives(pattern.pattern) for x in ([alt] if pattern.groups else _spread(alt, pattern.flags))]
    try:
        parsed = [P.parse(s, pattern.flags) for s in sources]
    except re.error:  # an alternative that refers to another's group
        return None
    if len(sources) < 2 or any(p.getwidth()[0] == 0 for p in parsed):
        return None
    runs: list[tuple[list[int], list[str] | None]] = []  # consecutive alternatives, and their literals (or None)
    for i, lits in enumerate(map(needed_literals, parsed)):
        if runs and (runs[-1][1] is None) == (lits is None) and len(runs[-1][0]) < block:
            runs[-1][0].append(i)
            runs[-1][1] is None or runs[-1][1].extend(lits)
        else:
            runs.append(([i], lits))
    never = [_never(p.state) for p in parsed] if pattern.groups else []
    compiled = [(re.compile("|".join(sources[i] if not never or i in run else never[i]
                                     for i in (range(len(sources)) if never else run)), pattern.flags), lits)
                for run, lits in runs]
    if any(b.groupindex != pattern.groupindex or b.groups != pattern.groups for b, _ in compiled):
        return None
    return Branched(pattern, literals, compiled)


def _never(state) -> str:
    """An alternative that never matches ("\\x00" and then nothing), with the groups of a parsed alternative (its
    parser's ``state``), named as there."""
    names = {i: n for n, i in state.groupdict.items()}
    return "\x00(?!)" + "".join(f"(?P<{names[i]}>)" if i in names else "()" for i in range(1, state.groups))


def fast(pattern: re.Pattern | str) -> re.Pattern | Prefiltered:
    """``pattern`` compiled, prefiltered when it has needed literals (as blocks of its alternatives when it has many)."""
    pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
    literals = needed(pattern)
    return branched(pattern, literals) or (Prefiltered(pattern, literals) if literals is not None else pattern)


def speed_up(namespace: dict, min_length: int = 100) -> None:
    """Every long pattern among a module's globals prefiltered (``fast``); called at the end of a module of cues, after
    the patterns built from others' ``.pattern``."""
    for name, value in list(namespace.items()):
        if isinstance(value, re.Pattern) and len(value.pattern) >= min_length:
            namespace[name] = fast(value)
