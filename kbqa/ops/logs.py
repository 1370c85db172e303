"""Log lines: kbqa's own at INFO on stderr, as text (``KBQA_LOG_FORMAT=text``, the default) or as one JSON object
a line (``json``), for a log collector. In JSON every line has ``ts`` (UTC), ``level``, ``logger``, ``msg`` and,
inside a request, its ``request_id``; a request's own line (``msg`` "request" or "answer") adds its fields
(method, path, status code, milliseconds, front end, answer id, status, kind, topic, confidence). Secrets never
reach a log line: nothing here logs settings, and the Slack tokens live in the clients only.
"""
from __future__ import annotations

import json
import logging
import sys
import time

from kbqa.ops import context

_configured: list[str] = []
# LogRecord attributes that are not extra fields
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName",
                                                                         "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
               "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        ctx = context.current()
        if ctx and ctx.get("request_id"):
            out["request_id"] = ctx["request_id"]
        for k, v in vars(record).items():
            if k not in _STANDARD and not k.startswith("_"):
                out[k] = v
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info).strip().splitlines()[-1]
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(settings) -> None:
    """Set up logging once per process: kbqa's loggers at INFO (DEBUG with KBQA_DEBUG), and in JSON mode every
    logger through the JSON formatter (uvicorn's and the libraries' lines too)."""
    fmt = settings.log_format
    if _configured and _configured[0] == fmt:
        return
    _configured[:] = [fmt]
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.DEBUG if settings.debug else logging.INFO)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.DEBUG if settings.debug else logging.WARNING)
        for name in ("uvicorn", "uvicorn.error"):
            lg = logging.getLogger(name)
            lg.handlers[:] = []
            lg.propagate = True
        ours = logging.getLogger("kbqa")
        ours.handlers[:] = []
        ours.propagate = True
        ours.setLevel(logging.DEBUG if settings.debug else logging.INFO)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    ours = logging.getLogger("kbqa")
    if not ours.handlers:
        ours.addHandler(handler)
    ours.setLevel(logging.DEBUG if settings.debug else logging.INFO)
    ours.propagate = False


def json_mode() -> bool:
    return bool(_configured) and _configured[0] == "json"


def uvicorn_log_config(settings) -> dict | None:
    """uvicorn's log_config: None in JSON mode (its loggers then go through ours), else its default."""
    if settings.log_format == "json":
        return None
    from uvicorn.config import LOGGING_CONFIG

    return LOGGING_CONFIG


REQUEST_LOG = logging.getLogger("kbqa.request")


def request_line(msg: str, **fields) -> None:
    """The one line of a request (JSON mode), with its fields as keys; in text mode at DEBUG."""
    fields = {k: v for k, v in fields.items() if v is not None}
    if json_mode():
        REQUEST_LOG.info(msg, extra=fields)
    elif REQUEST_LOG.isEnabledFor(logging.DEBUG):
        REQUEST_LOG.debug("%s %s", msg, " ".join(f"{k}={v}" for k, v in fields.items()))
