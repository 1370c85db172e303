"""Corpus: clean the raw FAQ article and load the structured knowledge base.

Public API:
    clean_text(raw, corrections, rules=()) -> str
    parse_article(text) -> dict
    build_faq(raw_path, corrections_path=None, rules_path=None) -> dict
    load_faq(path) -> Faq
    rebuild_corpus(check=False, corpus_dir=None) -> int      (``python -m kbqa.corpus [--check]``)
"""
from kbqa.corpus.clean import (
    Correction,
    LineRule,
    apply_corrections,
    build_faq,
    clean_text,
    drop_boilerplate,
    dump_faq,
    load_corrections,
    load_rules,
    parse_article,
    strip_pinyin,
    to_simplified,
)
from kbqa.corpus.loader import Faq, faq_from_dict, load_faq, validate_faq_dict
from kbqa.corpus.build import main, rebuild_corpus

__all__ = [
    "Correction",
    "LineRule",
    "apply_corrections",
    "build_faq",
    "clean_text",
    "drop_boilerplate",
    "dump_faq",
    "load_corrections",
    "load_rules",
    "parse_article",
    "strip_pinyin",
    "to_simplified",
    "Faq",
    "faq_from_dict",
    "load_faq",
    "validate_faq_dict",
    "main",
    "rebuild_corpus",
]
