"""A throwaway PostgreSQL cluster for tests and ``make stress``: initdb into a temp folder, a free port, listening
on 127.0.0.1 only, trust authentication for the user ``kbqa``, one database ``kbqa``.

initdb refuses to run as root, so as root every server command runs as the ``postgres`` user (``su postgres -s
/bin/sh -c …``) on a folder owned by it; as anyone else they run as that user. ``find_bindir`` says where
Debian's binaries are (None: PostgreSQL is not installed, and callers skip with ``MISSING``).

    with TempPostgres() as pg:
        url = pg.url            # postgresql+psycopg://kbqa@127.0.0.1:PORT/kbqa
        pg.stop(); pg.start()   # mid-run outages
"""
from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MISSING = ("PostgreSQL is not installed here (no initdb/pg_ctl); install Debian's postgresql "
           "(apt-get install -y postgresql) or set KBQA_REQUIRE_POSTGRES=1 to make this a failure")


def find_bindir() -> Path | None:
    """The folder with initdb and pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<version>/bin (newest)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent  # Debian links initdb into /usr/local/bin, not psql
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                    if Path(p).parent.name.isdigit() else 0, reverse=True):
        if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists():
            return Path(d)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempPostgres:
    def __init__(self, bindir: Path | None = None, user: str = "kbqa", dbname: str = "kbqa") -> None:
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise RuntimeError(MISSING)
        self.user, self.dbname = user, dbname
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="kbqa-pg-"))
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir, 0o700)
        self.data = self.dir / "data"
        self.logfile = self.dir / "log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{self.dbname}"

    def _run(self, *argv: str, timeout: float = 120) -> str:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_root:
            cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(shlex.quote(a) for a in cmd)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if p.returncode != 0:
            tail = (p.stderr.strip() or p.stdout.strip()).splitlines()[-3:]
            raise RuntimeError(f"{argv[0]} failed (rc {p.returncode}): {' | '.join(tail)}")
        return p.stdout

    def init(self) -> "TempPostgres":
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.user, "-E", "UTF8", "--no-sync")
        self.start()
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", "postgres", "-q",
                  "-c", f"CREATE DATABASE {self.dbname}")
        return self

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-o", opts, "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def psql(self, sql: str) -> str:
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", self.dbname,
                         "-At", "-q", "-c", sql)

    def cleanup(self) -> None:
        try:
            if self.running() or Path(self.data, "postmaster.pid").exists():
                self.stop()
        except Exception:  # noqa: BLE001 - best effort: the folder goes anyway
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "TempPostgres":
        try:
            return self.init()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc) -> None:
        self.cleanup()


def wait_until(predicate, timeout_s: float, every_s: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every_s)
    return bool(predicate())
