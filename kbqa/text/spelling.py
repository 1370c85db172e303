"""Typos between two words: what the catalog forgives in an expert's handle ("Garry", "zhuqbis", "Stephen99") and in a Latin
word the FAQ uses ("eureka" for its "Euraka")."""
from __future__ import annotations

import re


def one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion or substitution, or by two neighbouring letters swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b) and a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]:  # "zhuqbis": "bi" for "ib"
        return True
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short words only)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def near_handle(token: str, key: str) -> bool:
    """Does a Latin token name the handle ``key`` with one typo, cut short by two letters at most ("zhuqi": zhuqibs), or, for
    a handle ending in a number of two digits or more, with the same number after letters two edits away ("Stephen99":
    Steven99), or with its letters alone, one typo off, in seven letters or more ("xiaopin": xiaoping378; not "seven")?"""
    cut = len(token) >= 5 and key.startswith(token) and len(key) - len(token) <= 2
    digits = re.search(r"\d{2,}$", key)
    letters = key[:digits.start()] if digits else ""
    return one_edit(token, key) or cut or bool(digits and token.endswith(digits.group()) and len(key) >= 7
                                              and _distance(token, key) <= 2) or len(token) >= 7 and one_edit(token, letters)
