"""One typo between two words: what the catalog forgives in an expert's handle ("Garry", "zhuqbis") and in a Latin
word the FAQ uses ("eureka" for its "Euraka")."""
from __future__ import annotations


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
