"""Long cue regexes that first look for a literal every match must hold.

A cue pattern of a few hundred alternatives ("你是谁|背后是(?:哪家|…)|…") is tried at every position of a message,
and most messages hold none of its cues. ``fast`` reads the pattern (``re``'s own parser) for a set of strings one of
which any match must contain ("你是谁", "背后是", …), and runs the pattern only when one of them is in the text: a scan
for literals, which ``re`` does quickly, instead of every alternative at every position. Results are the same by
construction (the literals are necessary, never sufficient); a pattern without such a set is returned as it is.
"""
from __future__ import annotations

import re
from re import _constants as C, _parser as P  # the parser ``re`` compiles with (stable since 3.11)

_MAX = 24  # strings in a set: a small alternation of literals expands into its strings ("(?:跟|和|与)我" -> 3)


def _strings(op, av) -> set[str] | None:
    """Every string the item can match, when it is a literal or a small alternation of them; else None."""
    if op is C.LITERAL:
        return {chr(av)}
    if op is C.IN:
        return {chr(a) for o, a in av} if len(av) <= _MAX and all(o is C.LITERAL for o, a in av) else None
    if op is C.SUBPATTERN:
        return _seq_strings(av[-1].data)
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            s = _seq_strings(alt.data)
            if s is None:
                return None
            out |= s
        return out if len(out) <= _MAX else None
    return None


def _seq_strings(items) -> set[str] | None:
    out = {""}
    for op, av in items:
        s = _strings(op, av)
        if s is None:
            return None
        out = {a + b for a in out for b in s}
        if len(out) > _MAX:
            return None
    return out


def _needed(items) -> set[str] | None:
    """Strings one of which every match of the sequence contains (the longest found), or None."""
    found, run = [], {""}
    for op, av in [*items, (None, None)]:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero-width: nothing consumed
            continue
        s = _strings(op, av) if op is not None else None
        if s and "" not in s and len(run) * len(s) <= _MAX:
            run = {a + b for a in run for b in s}  # a run of literal items: their concatenations
            continue
        if run != {""}:
            found.append(run)
        run = set(s) if s and "" not in s else {""}
        if op is not None and run == {""} and (inner := _item_needed(op, av)):
            found.append(inner)
    return max(found, key=lambda s: (min(map(len, s)), -len(s))) if found else None


def _item_needed(op, av) -> set[str] | None:
    if op is C.SUBPATTERN:
        return _needed(av[-1].data)
    if op is C.BRANCH:  # every alternative must give its own
        out: set[str] = set()
        for alt in av[1]:
            s = _needed(alt.data)
            if not s:
                return None
            out |= s
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _needed(av[2].data)
    return None


def needed(pattern: re.Pattern) -> re.Pattern | None:
    """A pattern of literals one of which every match of ``pattern`` contains, or None."""
    if pattern.flags & re.IGNORECASE:
        return None
    found = _needed(P.parse(pattern.pattern, pattern.flags).data)
    if not found or "" in found:
        return None
    kept: list[str] = []
    for s in sorted(found, key=len):  # "你是谁" is implied by "你是"
        if not any(k in s for k in kept):
            kept.append(s)
    return re.compile("|".join(re.escape(s) for s in sorted(kept, key=len, reverse=True)))


class Prefiltered:
    """A compiled pattern run only on texts that hold one of its needed literals; otherwise a ``re.Pattern``."""

    __slots__ = ("_re", "_needed")

    def __init__(self, pattern: re.Pattern, literals: re.Pattern):
        self._re, self._needed = pattern, literals

    def search(self, string: str, *args):
        return self._re.search(string, *args) if self._needed.search(string) else None

    def match(self, string: str, *args):
        return self._re.match(string, *args) if self._needed.search(string) else None

    def fullmatch(self, string: str, *args):
        return self._re.fullmatch(string, *args) if self._needed.search(string) else None

    def sub(self, repl, string: str, count: int = 0) -> str:
        return self._re.sub(repl, string, count) if self._needed.search(string) else string

    def finditer(self, string: str, *args):
        return self._re.finditer(string, *args) if self._needed.search(string) else iter(())

    def findall(self, string: str, *args) -> list:
        return self._re.findall(string, *args) if self._needed.search(string) else []

    def __getattr__(self, name: str):  # pattern, flags, groups, split…
        return getattr(self._re, name)

    def __repr__(self) -> str:
        return f"Prefiltered({self._re!r})"


def fast(pattern: re.Pattern | str) -> re.Pattern | Prefiltered:
    """``pattern`` compiled, prefiltered when it has needed literals."""
    pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
    literals = needed(pattern)
    return Prefiltered(pattern, literals) if literals is not None else pattern


def speed_up(namespace: dict, min_length: int = 100) -> None:
    """Every long pattern among a module's globals prefiltered (``fast``); called at the end of a module of cues, after
    the patterns built from others' ``.pattern``."""
    for name, value in list(namespace.items()):
        if isinstance(value, re.Pattern) and len(value.pattern) >= min_length:
            namespace[name] = fast(value)
