"""The literals a regex needs, and one scan of a text for the literals of every prefiltered pattern.

``needed_literals`` reads a pattern (``re``'s own parser) for a set of strings one of which any match must contain
("你是谁", "背后是", …). A literal after a lookbehind that no letter a-z precedes ("(?<![a-z])or") is needed as a word's
start (marked ``START``); before a lookahead that no letter follows, as a word's end (``END``): "or" as a word is needed,
not the "or" in "storage".

``found(text)`` is the set of registered literals (``register``) in a text, marks honoured: one pass of an Aho-Corasick
automaton (pyahocorasick) over the text answers every prefiltered pattern at once, where each pattern's own scan for its
literals cost more than a microsecond (a routing asks ~20 patterns of the same text). Without pyahocorasick, a scan by
first characters gives the same set.
"""
from __future__ import annotations

import functools
import re
from re import _constants as C, _parser as P  # the parser ``re`` compiles with (stable since 3.11)

from kbqa.text.memo import text_cache

_MAX = 24  # strings in a set: a small alternation of literals expands into its strings ("(?:跟|和|与)我" -> 3)
START, END = "\x02", "\x03"  # the marks: no letter a-z before / after the literal
_MARKED = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")  # literals marked where they start / end with one of these
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")


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
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[:2] == (0, 1):  # "(?:的)?", "'?": the item, or nothing
        s = _seq_strings(av[2].data)
        return s | {""} if s is not None and len(s) < _MAX else None
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


def _no_letter(op, av, direction: int) -> bool:
    """Is the zero-width item an assertion that no letter a-z is before it (direction -1) or after it (1)?"""
    if op is C.AT:
        return av in ((C.AT_BEGINNING, C.AT_BEGINNING_STRING) if direction < 0 else (C.AT_END, C.AT_END_STRING))
    if op is not C.ASSERT_NOT or av[0] != direction or len(av[1]) != 1 or av[1][0][0] is not C.IN:
        return False
    chars = av[1][0][1]
    return all(o is not C.NEGATE for o, _ in chars) and any(o is C.RANGE and a[0] <= 97 and a[1] >= 122 for o, a in chars)


def _no_letter_before(op, av) -> bool:
    """Does the zero-width item assert that no letter a-z is before it: "^", "(?<![a-z])", "(?<=[，,\\s])", or a group of
    such alternatives ("(?:^|(?<=[，,]))")?"""
    if op is C.ASSERT and av[0] == -1:
        return len(av[1]) == 1 and _letterless(*av[1][0])
    if op is C.SUBPATTERN:
        return any(_no_letter_before(o, a) for o, a in av[-1].data)
    if op is C.BRANCH:
        return all(any(_no_letter_before(o, a) for o, a in alt.data) for alt in av[1])
    return _no_letter(op, av, -1)


def _letterless(op, av) -> bool:
    """Is the item a character, or a class, that holds no letter a-z ("\\W", "\\s", "[，,]")?"""
    if op is C.LITERAL:
        return not 97 <= av <= 122
    if op is not C.IN:
        return False
    return all(o is C.LITERAL and not 97 <= a <= 122 or o is C.RANGE and (a[1] < 97 or a[0] > 122)
               or o is C.CATEGORY and a in (C.CATEGORY_DIGIT, C.CATEGORY_SPACE, C.CATEGORY_NOT_WORD) for o, a in av)


def _leaves_no_letter(items, before: bool) -> bool:
    """Is the character before what follows the sequence no letter a-z ("(?:^|[,，]\\s*)")? ``before``: the one before it."""
    for op, av in items:
        if _zero_width(op, av):
            before = before or _no_letter_before(op, av)
        elif op is C.SUBPATTERN:
            before = _leaves_no_letter(av[-1].data, before)
        elif op is C.BRANCH:
            before = all(_leaves_no_letter(alt.data, before) for alt in av[1])
        else:
            before = least > 0 or before if (least := _gap(op, av)) is not None else _letterless(op, av)
    return before


def _zero_width(op, av) -> bool:
    return op in (C.AT, C.ASSERT, C.ASSERT_NOT) or op is C.SUBPATTERN and av[-1].getwidth() == (0, 0) or (
        op is C.BRANCH and all(alt.getwidth() == (0, 0) for alt in av[1]))


def _gap(op, av) -> int | None:
    """The least number of characters a repeat of no letters consumes ("\\W*" 0, "\\s+" 1), or None."""
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and len(av[2]) == 1 and _letterless(*av[2][0]):
        return av[0]
    return None


def _marked(strings: set[str], start: bool, end: bool) -> set[str]:
    return {(START if start and x[0] in _MARKED else "") + x + (END if end and x[-1] in _MARKED else "") for x in strings}


def _bound_after(seq, k: int, end: bool) -> bool:
    """Do the zero-width items from seq[k] assert that no letter follows (at the sequence's end: ``end``)?"""
    for op, av in seq[k:]:
        if op is None:
            return end
        if op not in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return False
        if _no_letter(op, av, 1):
            return True
    return end


def _needed(items, start: bool = False, end: bool = False) -> set[str] | None:
    """Strings one of which every match of the sequence contains (the longest found), or None. ``start``/``end``: no
    letter a-z is before/after the sequence (its literals there are marked)."""
    found, run, bound, seq = [], {""}, start, [*items, (None, None)]
    for k, (op, av) in enumerate(seq):
        if op is not None and _zero_width(op, av):  # nothing consumed
            if run != {""} and _no_letter(op, av, 1):
                found.append(_marked(run, False, True))
                run = {""}
            bound = bound or run == {""} and _no_letter_before(op, av)
            continue
        s = _strings(op, av) if op is not None else None
        if s and ("" not in s or run != {""}) and len(run) * len(s) <= _MAX:  # a run of literal items (an optional one
            run = _marked(s, bound, False) if run == {""} else {a + b for a in run for b in s}  # inside it): their
            bound = False  # concatenations
            continue
        if op is not None and (least := _gap(op, av)) is not None:  # "\\W*", "\\s+": no letter, so what follows
            if run != {""}:  # starts a word when one was consumed, or when one started here
                found.append(_marked(run, False, least > 0))
            if least > 0 and (inner := _needed(av[2].data)):  # "[牛赞]+"
                found.append(inner)
            bound, run = least > 0 or bound and run == {""}, {""}
            continue
        if run != {""}:
            found.append(_marked(run, False, op is None and end))
        before = bound and run == {""} or run != {""} and all(x[-1] not in _LOWER for x in run)  # no letter before it
        run = _marked(s, before, False) if s and "" not in s else {""}
        bound = run == {""} and op is not None and _leaves_no_letter([(op, av)], before)
        if op is not None and run == {""} and (inner := _item_needed(op, av, before, _bound_after(seq, k + 1, end))):
            found.append(inner)
    return max(found, key=lambda s: (min(map(len, s)), -len(s))) if found else None


def _item_needed(op, av, start: bool, end: bool) -> set[str] | None:
    if op is C.SUBPATTERN:
        return _needed(av[-1].data, start, end)
    if op is C.BRANCH:  # every alternative must give its own
        out: set[str] = set()
        for alt in av[1]:
            s = _needed(alt.data, start, end)
            if not s:
                return None
            out |= s
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _needed(av[2].data)
    return None


def needed_literals(parsed) -> list[str] | None:
    """The fewest strings one of which every match of a parsed pattern contains (in any case, when it ignores case),
    marked, or None."""
    found = _needed(parsed.data)
    if not found or "" in found:
        return None
    kept: list[str] = []
    for s in sorted(found, key=len):  # "你是谁" is implied by "你是"
        if not any(k in s for k in kept):
            kept.append(s)
    return kept


def core(literal: str) -> str:
    """A literal without its marks."""
    return literal.strip(START + END)


@functools.lru_cache(maxsize=None)  # a prefiltered pattern asks it twice: for ``needed`` and for its keys
def pattern_literals(pattern: re.Pattern) -> tuple[str, ...] | None:
    """``needed_literals`` of a compiled pattern."""
    kept = needed_literals(P.parse(pattern.pattern, pattern.flags))
    return tuple(kept) if kept is not None else None


def needed(pattern: re.Pattern) -> re.Pattern | None:
    """A pattern of literals one of which every match of ``pattern`` contains (their marks left out), or None. It
    ignores case as the pattern does (then "asks" is needed as "ASKS" too, with the same case folding)."""
    kept = pattern_literals(pattern)
    return re.compile("|".join(re.escape(s) for s in sorted({core(x) for x in kept}, key=len, reverse=True)),
                      pattern.flags & re.IGNORECASE) if kept is not None else None


_FORMS: dict[str, set[str]] = {}  # each registered literal without its marks -> its forms (with their marks)
_SCAN: list = []  # the automaton over _FORMS (built on the first scan after a registration), or [] to build


def register(literals) -> frozenset[str]:
    """Literals that ``found`` looks for from now on (a pattern's: it is prefiltered by them)."""
    new = False
    for lit in literals:
        forms = _FORMS.setdefault(core(lit), set())
        new = new or lit not in forms
        forms.add(lit)
    if new:
        _SCAN.clear()
        found.cache_clear()
    return frozenset(literals)


def _scanner():
    """(end, (core, registered without marks, its marked forms)) of every occurrence of a registered literal in a text:
    pyahocorasick, else a scan by first characters."""
    if not _SCAN:
        entries = {c: (c, c in forms, tuple(f for f in forms if f != c)) for c, forms in _FORMS.items()}
        try:
            import ahocorasick
        except ImportError:
            first: dict[str, list[str]] = {}
            for c in entries:
                first.setdefault(c[0], []).append(c)

            def scan(text: str):
                for ch in first.keys() & set(text):
                    for c in first[ch]:
                        i = text.find(c)
                        while i >= 0:
                            yield i + len(c) - 1, entries[c]
                            i = text.find(c, i + 1)
            _SCAN.append(scan)
        else:
            automaton = ahocorasick.Automaton()
            for c, entry in entries.items():
                automaton.add_word(c, entry)
            automaton.make_automaton()
            _SCAN.append(automaton.iter)
    return _SCAN[0]


@text_cache(maxsize=4096)
def found(text: str) -> frozenset[str]:
    """The registered literals in a text, each in the forms whose marks the occurrence honours."""
    out, n = set(), len(text)
    for end, (c, plain, marked) in _scanner()(text):
        if plain:
            out.add(c)
        for form in marked:
            start = end - len(c) + 1
            if (form[0] != START or start == 0 or text[start - 1] not in _LOWER) and (
                    form[-1] != END or end + 1 == n or text[end + 1] not in _LOWER):
                out.add(form)
    return frozenset(out)
