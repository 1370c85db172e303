"""`kbqa kb ...`: import another FAQ, and look after the one being served.

    kbqa kb import FILE --out DIR [--format F] [--title T] [--force]   write DIR/faq.json (see kbqa.corpus.importer)
    kbqa kb selftest                                                  the self-test a new KB version must pass
    kbqa kb version                                                   the KB version of the configured corpus
"""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    imp = sub.add_parser("import", help="read an FAQ (CSV, XLSX, JSON, Markdown or the article form) into DIR/faq.json",
                         description="Read an FAQ file and write DIR/faq.json (questions numbered in file order) and "
                                     "DIR/import-report.txt. CSV/XLSX columns: question/问题, answer/答案, optional "
                                     "author/作者, author_title/作者头衔, similar/相似问题 (one a line), "
                                     "description/问题描述. A bad file gets one error naming the row; nothing is "
                                     "written then.")
    imp.add_argument("file", help="the FAQ file (.csv .tsv .xlsx .json .md .txt)")
    imp.add_argument("--out", required=True, metavar="DIR", help="folder to write faq.json into")
    imp.add_argument("--format", default=None, help="csv, xlsx, json, markdown or article (default: by extension)")
    imp.add_argument("--title", default=None, help="the FAQ's title (default: from the file, else its name)")
    imp.add_argument("--force", action="store_true", help="replace an existing DIR/faq.json")
    sub.add_parser("selftest", help="run the self-test a new KB version must pass, on the configured corpus")
    sub.add_parser("version", help="print the KB version of the configured corpus (FAQ + overlay)")


def run(args) -> int:
    action = getattr(args, "action", None)
    if action == "import":
        from kbqa.corpus.importer import ImportFailed, run_import
        from kbqa.errors import KbqaError

        try:
            return run_import(args)
        except ImportFailed as e:
            raise KbqaError(str(e)) from None
    if action == "version":
        from kbqa.corpus.loader import load_faq
        from kbqa.errors import KbqaError
        from kbqa.settings import Settings

        settings = Settings.from_env()
        try:
            faq = load_faq(settings.corpus, overlay=settings.overlay_path)
        except (OSError, ValueError) as e:
            raise KbqaError(f"corpus {settings.corpus}: {str(e).splitlines()[0]}") from None
        print(faq.version)
        return 0
    if action == "selftest":
        from kbqa.engine import Engine
        from kbqa.kb.selftest import run_selftest

        from kbqa.corpus import overlay as ov

        engine = Engine()
        corrections = ov.parse(ov.read(engine.settings.overlay_path))
        result = run_selftest(engine.with_state(engine.load()), engine.settings, corrections)
        for line in result.lines():
            print(line)
        return 0 if result.ok else 1
    print("usage: kbqa kb import FILE --out DIR | kbqa kb selftest | kbqa kb version", file=sys.stderr)
    return 2
