"""Slack team, channel and user ids are never stored as they are: a keyed hash (HMAC-SHA256, first 32 hex digits)
replaces them, so the owners can count distinct users and channels without a list of who asked what.

The key is ``KBQA_ID_SALT``; without it, one is generated on first use into ``<home>/id_salt`` (mode 0600) and
kept. Replicas with their own homes must share one key, or the same user hashes differently on each: set
KBQA_ID_SALT in the Secret.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from kbqa.errors import KbqaError

log = logging.getLogger("kbqa.store")

SALT_FILE = "id_salt"


class IdHasher:
    def __init__(self, key: bytes, source: str = "") -> None:
        if not key:
            raise ValueError("empty key")
        self._key = key
        self.source = source  # "KBQA_ID_SALT" or the file it came from (for doctor and logs; never the key)

    def __call__(self, kind: str, value) -> str | None:
        """The hash of one id of a kind (team, channel, user); None for no id."""
        if value is None or value == "":
            return None
        msg = f"{kind}:{value}".encode("utf-8", "replace")
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:32]

    @classmethod
    def from_settings(cls, settings) -> "IdHasher":
        if settings.id_salt:
            return cls(settings.id_salt.encode("utf-8"), "KBQA_ID_SALT")
        return cls(_home_salt(Path(settings.home) / SALT_FILE), str(Path(settings.home) / SALT_FILE))


def _home_salt(path: Path) -> bytes:
    """The salt in ``path``, created (atomically: two processes starting at once agree) when missing."""
    try:
        data = path.read_bytes().strip()
        if data:
            return data
    except FileNotFoundError:
        pass
    except OSError as e:
        raise KbqaError(f"cannot read {path}: {e.strerror or e} (or set KBQA_ID_SALT)") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_hex(32).encode() + b"\n")
        try:
            os.link(tmp, path)  # fails if another process made it first: then theirs is the salt
            log.info("kbqa: generated the id hashing key in %s", path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        data = path.read_bytes().strip()
    except OSError as e:
        raise KbqaError(f"cannot write {path}: {e.strerror or e} (or set KBQA_ID_SALT)") from None
    if not data:
        raise KbqaError(f"{path} is empty: delete it (a new key is made) or set KBQA_ID_SALT")
    return data
