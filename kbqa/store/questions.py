"""The question log: one row per question answered through the web page, the JSON API, Slack or ``kbqa chat``,
and the queries the FAQ's owners need (issue 15's admin page reads these, nothing else):

* ``unanswered()``: questions that were not covered, or answered with low confidence, grouped by the FAQ
  question nearest to them, with counts and the latest examples;
* ``thumbs_down()``: down-voted answers, each with its question and the (question, expert) pairs it cited;
* ``citation_stats()``: for each FAQ question and each expert: times cited, thumbs up and down;
* ``rows()`` / ``export_jsonl()``: the raw log (``kbqa questions export [--since DATE] [--unanswered]``).

Writing: ``question_row`` turns an Answer into a record, ``QuestionLog.record`` hands it to the process's writer
(``kbqa.store.spool``); ``kbqa.store.recorded`` is the one caller. Every query takes ``since`` / ``until``
(aware datetimes or None) and works the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from kbqa.errors import KbqaError
from kbqa.store import schema
from kbqa.store.db import Database
from kbqa.store.feedback import iso

LOW_CONFIDENCE = 0.6  # an answered retrieval answer below this counts as "low confidence" for the owners
RETRIEVAL_KINDS = ("answer", "multi")  # structured replies (overview, by number...) are exact: confidence 1


def question_row(answer, *, answer_id: str, frontend: str, question, latency_ms: float, turns: int = 0,
                 answer_mode: str = "extractive", kb_version: str = "", request_id: str | None = None,
                 team_hash: str | None = None, channel_hash: str | None = None, user_hash: str | None = None,
                 created: float | None = None) -> dict:
    """The log record of one answered question (a spool record: plain JSON types)."""
    hits = getattr(answer, "hits", ()) or ()
    nearest = answer.topic if answer.topic is not None else (hits[0].unit.topic if hits else None)
    return {
        "id": answer_id, "created": time.time() if created is None else created, "frontend": frontend[:16],
        "question": schema.clean_text(question, schema.MAX_QUESTION), "status": answer.status, "kind": answer.kind,
        "topic": answer.topic, "confidence": round(float(answer.confidence), 4),
        "nearest_topic": nearest, "nearest_score": round(float(hits[0].score), 4) if hits else None,
        "latency_ms": round(float(latency_ms), 3), "turns": int(turns), "answer_mode": answer_mode[:16],
        "kb_version": (kb_version or "")[:64], "request_id": (request_id or None) and request_id[:64],
        "team_hash": team_hash, "channel_hash": channel_hash, "user_hash": user_hash,
        "citations": [[c.n, c.topic, schema.clean_text(c.expert, 128)] for c in answer.citations],
    }


# ---- what the queries return ------------------------------------------------------------------------
@dataclass(frozen=True)
class Example:
    question: str
    created: str  # ISO UTC
    status: str
    confidence: float
    frontend: str
    answer_id: str


@dataclass(frozen=True)
class UnansweredGroup:
    """Questions not covered (or answered with low confidence) whose nearest FAQ question is ``topic`` (None:
    retrieval found nothing near)."""

    topic: int | None
    count: int  # rows in the window
    not_covered: int  # of them, refused as not covered
    low_confidence: int  # of them, answered below the threshold
    distinct: int  # distinct question texts
    latest: str  # ISO UTC of the newest
    examples: tuple[Example, ...]  # newest first, one per distinct text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DownVote:
    feedback_id: str
    created: str
    source: str
    question: str
    answer_id: str | None
    status: str | None
    topic: int | None
    cited: tuple[tuple[int, str], ...]  # (FAQ question, expert) pairs the answer cited
    answer: str = ""

    def to_dict(self) -> dict:
        return {**asdict(self), "cited": [list(c) for c in self.cited]}


@dataclass
class Tally:
    cited: int = 0  # answers that cited it
    up: int = 0
    down: int = 0


@dataclass
class CitationStats:
    """Per FAQ question, per expert, and per (question, expert): times cited and the votes on those answers."""

    topics: dict[int, Tally] = field(default_factory=dict)
    experts: dict[str, Tally] = field(default_factory=dict)
    pairs: dict[tuple[int, str], Tally] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"topics": [{"topic": t, **asdict(v)} for t, v in sorted(self.topics.items())],
                "experts": [{"expert": e, **asdict(v)} for e, v in sorted(self.experts.items())],
                "pairs": [{"topic": t, "expert": e, **asdict(v)} for (t, e), v in sorted(self.pairs.items())]}


# ---- the log ----------------------------------------------------------------------------------------
class QuestionLog:
    def __init__(self, db: Database, writer=None, enabled: bool = True) -> None:
        self.db, self.writer, self.enabled = db, writer, enabled

    def record(self, row: dict) -> None:
        """Hand one record to the writer (durable in the spool on return). Raises SpoolFull when it was not kept."""
        if self.writer is not None:
            self.writer.submit("question", row)
        else:
            from kbqa.store.spool import insert_records

            if not self.db.ready:
                self.db.prepare()
            with self.db.begin() as conn:
                insert_records(self.db, conn, [("question", row)])

    def _flush(self) -> None:
        """Before a read: this process's queued records first; the schema checked (SQLite: upgraded)."""
        if self.writer is not None:
            self.writer.flush(5.0)
        if not self.db.ready:
            self.db.prepare()

    @staticmethod
    def _window(q, col, since, until):
        if since is not None:
            q = q.where(col >= since)
        if until is not None:
            q = q.where(col < until)
        return q

    def count(self, since=None, until=None, **where) -> int:
        self._flush()
        t = schema.questions
        q = self._window(sa.select(sa.func.count()).select_from(t), t.c.created, since, until)
        for k, v in where.items():
            q = q.where(t.c[k] == v)
        with self.db.begin() as conn:
            return int(conn.execute(q).scalar_one())

    def unanswered(self, *, since=None, until=None, low_confidence: float = LOW_CONFIDENCE, examples: int = 3,
                   limit: int = 100) -> list[UnansweredGroup]:
        """Not-covered and low-confidence questions grouped by their nearest FAQ question, largest group first."""
        self._flush()
        t = schema.questions
        weak = sa.or_(t.c.status == "not_covered",
                      sa.and_(t.c.status == "answered", t.c.kind.in_(RETRIEVAL_KINDS), t.c.confidence < low_confidence))
        nc = sa.func.sum(sa.case((t.c.status == "not_covered", 1), else_=0))
        groups = self._window(
            sa.select(t.c.nearest_topic, sa.func.count().label("n"), nc.label("nc"),
                      sa.func.count(sa.distinct(t.c.question)).label("distinct"), sa.func.max(t.c.created).label("latest"))
            .where(weak).group_by(t.c.nearest_topic), t.c.created, since, until)
        out = []
        with self.db.begin() as conn:
            rows = conn.execute(groups.order_by(sa.desc("n"), sa.desc("latest")).limit(limit)).all()
            for topic, n, n_nc, distinct, latest in rows:
                same = t.c.nearest_topic.is_(None) if topic is None else t.c.nearest_topic == topic
                recent = self._window(
                    sa.select(t.c.question, t.c.created, t.c.status, t.c.confidence, t.c.frontend, t.c.id)
                    .where(weak, same).order_by(t.c.created.desc()).limit(max(examples * 20, 50)),
                    t.c.created, since, until)
                seen, picked = set(), []
                for r in conn.execute(recent):
                    if r.question not in seen:
                        seen.add(r.question)
                        picked.append(Example(r.question, iso(r.created), r.status, r.confidence, r.frontend, r.id))
                    if len(picked) >= examples:
                        break
                out.append(UnansweredGroup(topic=topic, count=int(n), not_covered=int(n_nc or 0),
                                           low_confidence=int(n) - int(n_nc or 0), distinct=int(distinct),
                                           latest=iso(latest), examples=tuple(picked)))
        return out

    def thumbs_down(self, *, since=None, until=None, limit: int = 100) -> list[DownVote]:
        """Down-voted answers, newest first, with the (question, expert) pairs they cited (from the log, else from
        what the feedback record kept)."""
        self._flush()
        f = schema.feedback
        q = self._window(sa.select(f).where(f.c.rating == -1).order_by(f.c.created.desc()).limit(limit),
                         f.c.created, since, until)
        with self.db.begin() as conn:
            rows = conn.execute(q).mappings().all()
            cited = self._cited(conn, [r["answer_id"] for r in rows if r["answer_id"]])
        out = []
        for r in rows:
            pairs = cited.get(r["answer_id"]) or _pairs_of(r["citations"])
            out.append(DownVote(feedback_id=r["id"], created=iso(r["created"]), source=r["source"],
                                question=r["question"], answer_id=r["answer_id"], status=r["status"], topic=r["topic"],
                                cited=tuple(pairs), answer=r["answer"]))
        return out

    def citation_stats(self, *, since=None, until=None) -> CitationStats:
        """Times each FAQ question, expert and (question, expert) pair was cited in logged answers, and the thumbs
        up and down given to answers that cited it (a vote whose answer is not in the log counts with the
        citations its record kept)."""
        self._flush()
        t, c, f = schema.questions, schema.citations, schema.feedback
        stats = CitationStats()

        def tally(d, key):
            return d.setdefault(key, Tally())

        per_pair = self._window(
            sa.select(c.c.topic, c.c.expert, sa.func.count(sa.distinct(c.c.answer_id)))
            .select_from(c.join(t, t.c.id == c.c.answer_id)).group_by(c.c.topic, c.c.expert), t.c.created, since, until)
        per_topic = self._window(
            sa.select(c.c.topic, sa.func.count(sa.distinct(c.c.answer_id)))
            .select_from(c.join(t, t.c.id == c.c.answer_id)).group_by(c.c.topic), t.c.created, since, until)
        per_expert = self._window(
            sa.select(c.c.expert, sa.func.count(sa.distinct(c.c.answer_id)))
            .select_from(c.join(t, t.c.id == c.c.answer_id)).group_by(c.c.expert), t.c.created, since, until)
        votes_q = self._window(sa.select(f.c.answer_id, f.c.rating, f.c.citations), f.c.created, since, until)
        with self.db.begin() as conn:
            for topic, expert, n in conn.execute(per_pair):
                tally(stats.pairs, (topic, expert)).cited = int(n)
            for topic, n in conn.execute(per_topic):
                tally(stats.topics, topic).cited = int(n)
            for expert, n in conn.execute(per_expert):
                tally(stats.experts, expert).cited = int(n)
            votes = conn.execute(votes_q).all()
            cited = self._cited(conn, [v.answer_id for v in votes if v.answer_id])
        for answer_id, rating, kept in votes:
            pairs = cited.get(answer_id) or _pairs_of(kept)
            attr = "up" if rating > 0 else "down"
            for topic in {p[0] for p in pairs}:
                setattr(tally(stats.topics, topic), attr, getattr(tally(stats.topics, topic), attr) + 1)
            for expert in {p[1] for p in pairs}:
                setattr(tally(stats.experts, expert), attr, getattr(tally(stats.experts, expert), attr) + 1)
            for pair in set(pairs):
                setattr(tally(stats.pairs, pair), attr, getattr(tally(stats.pairs, pair), attr) + 1)
        return stats

    @staticmethod
    def _cited(conn, answer_ids) -> dict[str, list[tuple[int, str]]]:
        c = schema.citations
        out: dict[str, list[tuple[int, str]]] = defaultdict(list)
        ids = list(dict.fromkeys(answer_ids))
        for i in range(0, len(ids), 500):
            q = sa.select(c.c.answer_id, c.c.topic, c.c.expert).where(c.c.answer_id.in_(ids[i:i + 500])) \
                .order_by(c.c.answer_id, c.c.n)
            for aid, topic, expert in conn.execute(q):
                out[aid].append((topic, expert))
        return out

    # ---- export ---------------------------------------------------------------------------------------
    def rows(self, *, since=None, until=None, unanswered: bool = False):
        """Every logged question in the window, oldest first, with its citations (read in pages)."""
        self._flush()
        t = schema.questions
        last = None
        while True:
            q = self._window(sa.select(t), t.c.created, since, until).order_by(t.c.created, t.c.id).limit(1000)
            if unanswered:
                q = q.where(t.c.status == "not_covered")
            if last is not None:
                q = q.where(sa.or_(t.c.created > last[0], sa.and_(t.c.created == last[0], t.c.id > last[1])))
            with self.db.begin() as conn:
                rows = conn.execute(q).mappings().all()
                cited = self._cited(conn, [r["id"] for r in rows])
            if not rows:
                return
            for r in rows:
                yield row_dict(r, cited.get(r["id"], []))
            last = (rows[-1]["created"], rows[-1]["id"])

    def export_jsonl(self, out, **kw) -> int:
        n = 0
        for rec in self.rows(**kw):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        return n


def row_dict(r, cited) -> dict:
    return {"id": r["id"], "created": iso(r["created"]), "frontend": r["frontend"], "question": r["question"],
            "status": r["status"], "kind": r["kind"], "topic": r["topic"], "confidence": r["confidence"],
            "citations": [list(p) for p in cited], "nearest_topic": r["nearest_topic"],
            "nearest_score": r["nearest_score"], "latency_ms": r["latency_ms"], "turns": r["turns"],
            "answer_mode": r["answer_mode"], "kb_version": r["kb_version"], "request_id": r["request_id"],
            "team": r["team_hash"], "channel": r["channel_hash"], "user": r["user_hash"]}


def _pairs_of(citations) -> list[tuple[int, str]]:
    out = []
    for c in citations or []:
        if isinstance(c, dict) and isinstance(c.get("topic"), int) and isinstance(c.get("expert"), str):
            out.append((c["topic"], c["expert"]))
    return out


def parse_since(text: str | None) -> datetime | None:
    """``--since`` as an aware UTC datetime: YYYY-MM-DD, an ISO date-time (UTC unless it says), or Nd (days
    ago); a one-line KbqaError otherwise."""
    if not text:
        return None
    s = text.strip()
    if s[:-1].isdigit() and s.endswith("d"):
        return schema.now() - timedelta(days=int(s[:-1]))
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise KbqaError(f"--since {text!r} is not a date: use YYYY-MM-DD, 2026-12-01T08:00, or 7d") from None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def run_cli(args) -> int:
    """`kbqa questions export [--since DATE] [--unanswered] [--out FILE]`."""
    from kbqa.settings import Settings
    from kbqa.store import open_store

    if getattr(args, "action", None) != "export":
        print("usage: kbqa questions export [--since DATE] [--unanswered] [--out FILE]", file=sys.stderr)
        return 2
    since = parse_since(args.since)
    store = open_store(Settings.from_env())
    store.db.prepare()
    store.writer.replay_orphans()  # what a stopped process left in this home's spool belongs in the export
    kw = {"since": since, "unanswered": bool(args.unanswered)}
    if args.out in (None, "-"):
        n = store.log.export_jsonl(sys.stdout, **kw)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            n = store.log.export_jsonl(f, **kw)
    print(f"exported {n} questions", file=sys.stderr)
    return 0
