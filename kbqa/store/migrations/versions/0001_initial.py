"""The first schema: questions (the question log), citations, feedback, claims.

A database that is the old SQLite feedback store (a ``feedback`` table with an integer id, before Alembic)
keeps every row: the old table is renamed, the new one created, each old row copied with the id
``legacy-<old id>`` (its JSON kept as it was; status, topic and confidence also copied into their columns),
then the old table dropped, all in the upgrade's one transaction.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _created():
    return sa.Column("created", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    bind = op.get_bind()
    legacy = _is_legacy_feedback(bind)
    if legacy:
        op.rename_table("feedback", "feedback_legacy")
    op.create_table(
        "questions",
        sa.Column("id", sa.String(40), primary_key=True),
        _created(),
        sa.Column("frontend", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic", sa.Integer()),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("nearest_topic", sa.Integer()),
        sa.Column("nearest_score", sa.Float()),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("answer_mode", sa.String(16), nullable=False, server_default="extractive"),
        sa.Column("kb_version", sa.String(64), nullable=False, server_default=""),
        sa.Column("request_id", sa.String(64)),
        sa.Column("team_hash", sa.String(32)),
        sa.Column("channel_hash", sa.String(32)),
        sa.Column("user_hash", sa.String(32)),
    )
    op.create_index("ix_questions_created", "questions", ["created"])
    op.create_index("ix_questions_status_created", "questions", ["status", "created"])
    op.create_index("ix_questions_nearest_topic", "questions", ["nearest_topic"])
    op.create_table(
        "citations",
        sa.Column("answer_id", sa.String(40), sa.ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("n", sa.Integer(), primary_key=True),
        sa.Column("topic", sa.Integer(), nullable=False),
        sa.Column("expert", sa.String(128), nullable=False),
    )
    op.create_index("ix_citations_topic_expert", "citations", ["topic", "expert"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(40), primary_key=True),
        _created(),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("answer_id", sa.String(40)),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False, server_default=""),
        sa.Column("answer", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(16)),
        sa.Column("topic", sa.Integer()),
        sa.Column("confidence", sa.Float()),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("team_hash", sa.String(32)),
        sa.Column("channel_hash", sa.String(32)),
        sa.Column("user_hash", sa.String(32)),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.CheckConstraint("rating IN (-1, 1)", name="ck_feedback_rating"),
    )
    op.create_index("ix_feedback_created", "feedback", ["created"])
    op.create_index("ix_feedback_answer_id", "feedback", ["answer_id"])
    op.create_table(
        "claims",
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        _created(),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_claims_expires", "claims", ["expires"])
    if legacy:
        _copy_legacy_feedback(bind)
        op.drop_table("feedback_legacy")


def downgrade() -> None:
    for table in ("claims", "feedback", "citations", "questions"):
        op.drop_table(table)


# ---- the old SQLite feedback store ------------------------------------------------------------------
def _is_legacy_feedback(bind) -> bool:
    insp = sa.inspect(bind)
    if "feedback" not in insp.get_table_names():
        return False
    cols = {c["name"] for c in insp.get_columns("feedback")}
    return {"id", "created", "source", "rating", "question", "answer", "citations", "extra"} <= cols \
        and "answer_id" not in cols


def _copy_legacy_feedback(bind) -> None:
    old = sa.table("feedback_legacy", *(sa.column(c) for c in ("id", "created", "source", "rating", "question",
                                                                "answer", "citations", "extra")))
    new = sa.table("feedback", *(sa.column(c) for c in (
        "id", "created", "source", "answer_id", "rating", "question", "answer", "status", "topic", "confidence",
        "citations", "extra")))
    rows = bind.execute(sa.select(old).order_by(old.c.id)).mappings().all()
    batch = [legacy_row(r, naive=bind.dialect.name == "sqlite") for r in rows]
    if batch:
        # JSON columns as text: this lightweight table has no types, so the values are bound as they are
        bind.execute(new.insert(), [{**b, "citations": json.dumps(b["citations"], ensure_ascii=False),
                                     "extra": json.dumps(b["extra"], ensure_ascii=False)} for b in batch])


def legacy_row(r, naive: bool = False) -> dict:
    """One row of the old store as a row of the new feedback table (kept in step with
    kbqa.store.feedback.legacy_row, which imports an old file into any database)."""
    def load(text, default):
        try:
            value = json.loads(text) if isinstance(text, str) else default
        except ValueError:
            return {"unparsed": text} if default == {} else [{"unparsed": text}]
        return value

    extra = load(r["extra"], {})
    extra = extra if isinstance(extra, dict) else {"value": extra}
    cites = load(r["citations"], [])
    topic = extra.get("topic")
    conf = extra.get("confidence")
    created = datetime.fromtimestamp(float(r["created"]), timezone.utc)
    if naive:  # SQLite: the text SQLAlchemy's DateTime writes there
        created = created.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return {"id": f"legacy-{r['id']}", "created": created,
            "source": str(r["source"]), "answer_id": str(extra["answer_id"])[:40] if extra.get("answer_id") else None,
            "rating": int(r["rating"]), "question": r["question"] or "", "answer": r["answer"] or "",
            "status": extra.get("status") if isinstance(extra.get("status"), str) else None,
            "topic": topic if isinstance(topic, int) and not isinstance(topic, bool) else None,
            "confidence": float(conf) if isinstance(conf, (int, float)) and not isinstance(conf, bool) else None,
            "citations": cites if isinstance(cites, list) else [cites], "extra": extra}
