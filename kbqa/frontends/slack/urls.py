"""Which ``response_url`` the bot may post to. A slash command or a button click carries one, and bolt's
``respond`` posts to whatever it says: without this check anyone holding the signing secret could make the bot
POST to ``http://127.0.0.1:…/internal/admin`` (SSRF, issue 19 point 6). Only Slack's own hooks hosts are
allowed (``KBQA_SLACK_RESPONSE_URLS``), compared by parts, never by string prefix alone (so
``https://hooks.slack.com.evil.example/`` and ``https://hooks.slack.com@evil.example/`` are refused).
"""
from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


def _parts(url: str):
    u = urlsplit(url.strip())
    try:
        port = u.port or DEFAULT_PORTS.get(u.scheme.lower())
    except ValueError:  # a port that is not a number
        return None
    if not u.hostname or u.username is not None or u.password is not None:
        return None
    return u.scheme.lower(), u.hostname.lower(), port, u.path or "/"


def parse_prefixes(setting: str) -> tuple[tuple, ...]:
    """The allowed prefixes of a ``KBQA_SLACK_RESPONSE_URLS`` value (comma-separated URLs)."""
    return tuple(p for p in (_parts(x) for x in (setting or "").split(",") if x.strip()) if p)


def allowed(url: str | None, prefixes: tuple[tuple, ...]) -> bool:
    """True when ``url`` has the scheme, host and port of a prefix and its path starts with the prefix's."""
    if not url:
        return False
    got = _parts(url)
    if got is None or "\\" in url or any(ord(c) < 33 for c in url):
        return False
    scheme, host, port, path = got
    for p_scheme, p_host, p_port, p_path in prefixes:
        if (scheme, host, port) == (p_scheme, p_host, p_port) and path.startswith(p_path):
            return True
    return False
