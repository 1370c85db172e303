"""Claims: exactly one of several processes wins a key, an expired claim can be taken again, and while the
database is away claims fall back to the process's memory."""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from kbqa.store.db import Database
from kbqa.store.dedupe import Claims, key_text

DOWN = "postgresql+psycopg://kbqa@127.0.0.1:1/kbqa"

CLAIMER = r"""
import sys
from kbqa.store.db import Database
from kbqa.store.dedupe import Claims
c = Claims(Database(sys.argv[1]))
print(sum(bool(c.claim("event", f"Ev{i}", 3600)) for i in range(200)))
"""


def test_one_process_wins_each_key(any_db):
    from kbqa.devtools.measure import child_env

    url = any_db.url.render_as_string(hide_password=False)
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, url], stdout=subprocess.PIPE, text=True,
                              env=child_env()) for _ in range(3)]
    wins = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert sum(wins) == 200, wins


def test_threads_one_winner_and_expiry(any_db):
    claims = Claims(any_db)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: claims.claim("event", "Ev1", 3600), range(16)))
    assert got.count(True) == 1 and got.count(False) == 15
    assert claims.claim("vote", ("a1", "U1", 1), 3600) is True
    assert claims.holds("vote", ("a1", "U1", 1)) is True
    assert claims.claim("vote", ("a2", "U1", 1), -1) is True  # a claim that has already expired
    assert claims.holds("vote", ("a2", "U1", 1)) is False
    assert claims.claim("vote", ("a2", "U1", 1), 3600) is True  # expired: taken again
    assert claims.claim("vote", ("a2", "U1", 1), 3600) is False


def test_shared_seen_falls_back_to_memory_when_the_database_is_away(caplog):
    from kbqa.frontends.slack.memory import Seen

    seen = Claims(Database(DOWN)).seen("event", Seen(ttl_s=3600))
    assert seen.claim("Ev1") is True and seen.claim("Ev1") is False  # remembered locally
    assert "Ev1" in seen
    seen.discard("Ev1")
    assert seen.claim("Ev1") is True
    assert caplog.text.count("claims fall back") == 1


def test_long_keys_are_hashed():
    assert key_text(("C1", "1700000000.000100")) == "C1\x1f1700000000.000100"
    long = key_text("x" * 500)
    assert long.startswith("sha256:") and len(long) <= 200
