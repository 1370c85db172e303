"""Fixtures the system tests share: the web app on the session's fake engine, served over real HTTP on loopback.
A module that needs another app (the browser's, the admin's, the LLM's) defines its own ``url``."""
from __future__ import annotations

import httpx
import pytest

from kbqa.frontends.web import app as web
from kbqa.store.feedback import FeedbackStore


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> FeedbackStore:
    return FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3")


@pytest.fixture(scope="module")
def url(fake_engine, store):
    with web.serve_in_thread(web.create_app(fake_engine, store)) as base:
        yield base


@pytest.fixture(scope="module")
def client(url):
    with httpx.Client(base_url=url, timeout=30) as c:
        yield c
