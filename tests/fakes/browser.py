"""Headless Chromium for the page tests: Debian's /usr/bin/chromium driven by playwright (never `playwright
install`). A test calls ``require_browser()`` first: it skips where Chromium or playwright is missing, unless
KBQA_REQUIRE_BROWSER is set (CI), where that is a failure."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_browser() -> None:
    why = None
    if not CHROMIUM.exists():
        why = f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-microhei)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "the playwright package is not installed (make install)"
    if why and os.environ.get("KBQA_REQUIRE_BROWSER"):
        pytest.fail(f"KBQA_REQUIRE_BROWSER is set but {why}")
    if why:
        pytest.skip(why)


@contextlib.contextmanager
def chromium(profile_dir: Path, **kw):
    """A persistent browser context (1280x1000, zh-CN unless given)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile_dir), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport=kw.pop("viewport", {"width": 1280, "height": 1000}), locale=kw.pop("locale", "zh-CN"), **kw)
        try:
            yield context
        finally:
            context.close()
