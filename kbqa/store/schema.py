"""The tables, as SQLAlchemy Core objects: what the store modules query. The database itself is created and
changed only by the Alembic migrations in ``kbqa/store/migrations/versions`` (``kbqa db upgrade``); a test
checks that the migrated schema and these tables agree.

    questions   one row per answered question (the question log); ``id`` is the answer id
    citations   the (FAQ question, expert) pairs an answer cited, numbered as in the answer
    feedback    thumbs up/down; ``answer_id`` points at ``questions.id`` (not enforced: the log may be off,
                purged by retention, or written after the vote)
    claims      "done once per deployment" markers with an expiry (Slack event ids and the like)

Times are UTC. Slack team, channel and user ids are stored only as keyed hashes (``kbqa.store.ids``).
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

HEAD = "0001"  # the newest migration; the database must be at it

# Longest values kept (longer text is cut; the question itself is limited by KBQA_MAX_QUESTION_CHARS).
MAX_QUESTION = 20_000
MAX_ANSWER = 100_000


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime in Python; ``timestamptz`` in PostgreSQL, a naive UTC value in SQLite
    (which has no time zones), so that comparisons work the same on both."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, (int, float)):
            value = datetime.fromtimestamp(value, timezone.utc)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


metadata = sa.MetaData()

questions = sa.Table(
    "questions", metadata,
    sa.Column("id", sa.String(40), primary_key=True),  # the answer id (uuid4 hex)
    sa.Column("created", UTCDateTime(), nullable=False),
    sa.Column("frontend", sa.String(16), nullable=False),  # web | api | slack | cli
    sa.Column("question", sa.Text(), nullable=False),  # as the user typed it
    sa.Column("status", sa.String(16), nullable=False),  # answered | not_covered
    sa.Column("kind", sa.String(16), nullable=False),  # Answer.kind
    sa.Column("topic", sa.Integer()),  # the FAQ question answered (null: none)
    sa.Column("confidence", sa.Float(), nullable=False),
    # The FAQ question nearest to the question even when it was not covered (retrieval's first hit): what the
    # owners' list of unanswered questions is grouped by.
    sa.Column("nearest_topic", sa.Integer()),
    sa.Column("nearest_score", sa.Float()),
    sa.Column("latency_ms", sa.Float(), nullable=False),
    sa.Column("turns", sa.Integer(), nullable=False, server_default="0"),  # earlier user turns (follow-ups > 0)
    sa.Column("answer_mode", sa.String(16), nullable=False, server_default="extractive"),  # extractive | llm
    sa.Column("kb_version", sa.String(64), nullable=False, server_default=""),  # the corpus hash (first 16)
    sa.Column("request_id", sa.String(64)),
    sa.Column("team_hash", sa.String(32)),  # keyed hashes of Slack ids (null elsewhere)
    sa.Column("channel_hash", sa.String(32)),
    sa.Column("user_hash", sa.String(32)),
    sa.Index("ix_questions_created", "created"),
    sa.Index("ix_questions_status_created", "status", "created"),
    sa.Index("ix_questions_nearest_topic", "nearest_topic"),
)

citations = sa.Table(
    "citations", metadata,
    sa.Column("answer_id", sa.String(40), sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("n", sa.Integer(), primary_key=True),  # the [n] of the answer
    sa.Column("topic", sa.Integer(), nullable=False),
    sa.Column("expert", sa.String(128), nullable=False),
    sa.Index("ix_citations_topic_expert", "topic", "expert"),
)

feedback = sa.Table(
    "feedback", metadata,
    sa.Column("id", sa.String(40), primary_key=True),  # uuid4 hex; "legacy-N" for rows of the old SQLite store
    sa.Column("created", UTCDateTime(), nullable=False),
    sa.Column("source", sa.String(64), nullable=False),  # web | api | slack
    sa.Column("answer_id", sa.String(40)),
    sa.Column("rating", sa.SmallInteger(), nullable=False),
    sa.Column("question", sa.Text(), nullable=False, server_default=""),
    sa.Column("answer", sa.Text(), nullable=False, server_default=""),
    sa.Column("status", sa.String(16)),
    sa.Column("topic", sa.Integer()),
    sa.Column("confidence", sa.Float()),
    sa.Column("citations", sa.JSON(), nullable=False),  # as the answer carried them (at least n, topic, expert)
    sa.Column("team_hash", sa.String(32)),
    sa.Column("channel_hash", sa.String(32)),
    sa.Column("user_hash", sa.String(32)),
    sa.Column("extra", sa.JSON(), nullable=False),  # whatever else the front end knew (message ts, status...)
    sa.CheckConstraint("rating IN (-1, 1)", name="ck_feedback_rating"),
    sa.Index("ix_feedback_created", "created"),
    sa.Index("ix_feedback_answer_id", "answer_id"),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("scope", sa.String(16), primary_key=True),  # event | message | vote | thread
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("created", UTCDateTime(), nullable=False),
    sa.Column("expires", UTCDateTime(), nullable=False),
    sa.Index("ix_claims_expires", "expires"),
)

TABLES = ("questions", "citations", "feedback", "claims")


def now() -> datetime:
    return datetime.now(timezone.utc)


def clean_text(value, limit: int | None = None) -> str:
    """str(value) cut to ``limit``, storable in both engines: NUL (PostgreSQL refuses it in text) becomes U+FFFD
    and lone surrogates (valid in JSON, not in UTF-8) become '?'."""
    text = str(value if value is not None else "")[:limit]
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text.encode("utf-8", "replace").decode("utf-8")
