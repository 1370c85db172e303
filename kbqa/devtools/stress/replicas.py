"""Many replicas on one PostgreSQL, with the faults a deployment sees: the proof of issue 14. Real processes, real
HTTP, the fake embedder (fast); run by tests/system/test_replicas.py and by ``make stress`` (when PostgreSQL is
installed).

1. A throwaway PostgreSQL cluster (``kbqa.devtools.pgtemp``). Before ``kbqa db upgrade`` a kbqa command stops with
   one line saying to run it; then ``kbqa db upgrade``; the index is built once into a shared ``KBQA_INDEX_DIR``.
2. Two ``kbqa serve`` replicas, each with its own ``KBQA_HOME`` (its own spool, as separate pods): A with
   ``--workers 2``, B with one; two ``kbqa slack`` bot processes; Slack itself is ``tests/fakes/slack_api.py``.
3. Load: ``questions`` questions over both replicas from 8 client threads (a client that cannot reach a replica
   retries on the other, as a load balancer would), and ``votes`` feedback clicks (POST /api/feedback on answers of
   either replica, and Slack buttons on both bots). Meanwhile, at set points of the run:
   * one Slack event is delivered to both bot processes, then again with retry headers (X-Slack-Retry-Num 1, 2);
   * PostgreSQL is stopped, and while it is down replica B is killed with SIGKILL (what B acknowledged since is
     in its spool only); PostgreSQL is started again, and B restarted on its home (what a container restart
     does), which replays its spool.
4. Everything is stopped with SIGTERM (each process drains its spool), then the database is read:
   * every answered request (HTTP 200) is in the question log exactly once, with its question;
   * every acknowledged vote is in the feedback table (API votes by id; Slack votes counted);
   * the Slack event was answered once; Slack ids are stored hashed;
   * replica A's /metrics (two workers) counted exactly the answers A gave.

``run`` returns the figures and ``errors`` (a list of what broke); ``report`` prints them.
"""
from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from kbqa.devtools.measure import child_env, load_questions
from kbqa.devtools.pgtemp import TempPostgres, free_port, wait_until
from kbqa.devtools.stress.harness import (READY_S, Balancer, Proc, available, cli, fake_slack, ready, request_lines,
                                         spooled)

SECRET = "replicas-signing-secret"
SALT = "replicas-test-salt"
PACE_S = 0.35  # each client's pause between questions: 8 clients, ~20 questions/s, 500 questions in ~25 s


def run(questions: int = 500, votes: int = 100, outage_s: float = 3.0, say=None) -> dict:
    import httpx

    say = say or (lambda msg: None)
    t_start = time.perf_counter()
    slack_api = fake_slack()
    errors: list[str] = []
    res: dict = {"questions": questions, "votes": votes, "errors": errors}
    work = Path(tempfile.mkdtemp(prefix="kbqa-replicas-"))
    procs: list[Proc] = []
    say("replicas: starting a throwaway PostgreSQL")
    with TempPostgres() as pg, slack_api.FakeSlack() as slack:
        base_env = child_env(KBQA_DATABASE_URL=pg.url, KBQA_EMBEDDER="fake", KBQA_INDEX_DIR=str(work / "index"),
                             KBQA_ID_SALT=SALT, KBQA_LOG_FORMAT="json", SLACK_BOT_TOKEN=slack.bot_token,
                             SLACK_SIGNING_SECRET=SECRET, SLACK_API_BASE_URL=slack.base_url,
                             KBQA_SLACK_RESPONSE_URLS=slack.url + "/response/")  # the fake's "thanks" endpoint
        for k in [k for k in base_env if k.startswith("KBQA_") and k not in (
                "KBQA_DATABASE_URL", "KBQA_EMBEDDER", "KBQA_INDEX_DIR", "KBQA_ID_SALT", "KBQA_LOG_FORMAT",
                "KBQA_SLACK_RESPONSE_URLS")]:
            del base_env[k]  # the caller's own settings must not leak in
        base_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        # one load generator on one address asks and votes far faster than a person: the per-client limits
        # (KBQA_RATE_LIMIT, asks and votes) would refuse it, as they do for bench and stress
        base_env["KBQA_RATE_LIMIT"] = "0"

        def env_for(name: str) -> dict:
            return {**base_env, "KBQA_HOME": str(work / name)}

        # 1. schema: behind -> one line; upgrade; index built once
        p = cli(["questions", "export"], env_for("cli"))
        lines = p.stderr.strip().splitlines()
        res["behind_error"] = lines[-1] if lines else ""
        if p.returncode == 0 or len(lines) != 1 or "kbqa db upgrade" not in lines[0]:
            errors.append(f"before the upgrade, a command did not stop with one line naming `kbqa db upgrade`: "
                          f"{p.stderr.strip()[-300:]!r}")
        p = cli(["db", "upgrade"], env_for("cli"))
        if p.returncode != 0:
            errors.append(f"kbqa db upgrade failed: {p.stderr.strip()[-300:]}")
            return res
        p = cli(["build"], env_for("cli"))
        if p.returncode != 0:
            errors.append(f"kbqa build failed: {p.stderr.strip()[-300:]}")
            return res

        # 2. the processes
        ports = {n: free_port() for n in ("A", "B", "bot1", "bot2")}
        urls = {n: f"http://127.0.0.1:{ports[n]}" for n in ("A", "B")}
        bots = {n: f"http://127.0.0.1:{ports[n]}/slack/events" for n in ("bot1", "bot2")}
        a = Proc("A", ["serve", "--port", str(ports["A"]), "--workers", "2"], env_for("A"), work)
        b = Proc("B", ["serve", "--port", str(ports["B"])], env_for("B"), work)
        bot1 = Proc("bot1", ["slack", "--port", str(ports["bot1"])], env_for("bot1"), work)
        bot2 = Proc("bot2", ["slack", "--port", str(ports["bot2"])], env_for("bot2"), work)
        procs += [a, b, bot1, bot2]
        say("replicas: starting 2 web replicas (A with 2 workers) and 2 Slack bots")
        t0 = time.perf_counter()
        for proc in procs:
            proc.start()
        try:
            for proc, url in ((a, urls["A"]), (b, urls["B"]), (bot1, bots["bot1"][:-13]), (bot2, bots["bot2"][:-13])):
                if not ready(url, proc):
                    errors.append(f"{proc.name} not ready in {READY_S:.0f} s: {proc.tail()}")
                    return res
        except RuntimeError as e:
            errors.append(str(e))
            return res
        res["start_s"] = round(time.perf_counter() - t0, 1)

        # 3. the load
        pool = [r["question"] for r in load_questions()]
        asks = [pool[i % len(pool)] for i in range(questions)]
        bal = Balancer(urls)
        lock = threading.Lock()
        answered: dict[str, dict] = {}  # answer id -> {"question", "replica", "rid", "status"}
        by_replica = {"A": 0, "B": 0}
        refused_conn: list[str] = []  # request ids that hit a dead replica (then retried)
        http_errors: list[str] = []
        vote_acks: dict[str, str] = {}  # feedback id -> answer id
        vote_errors: list[str] = []
        progress = [0]
        slots = [0]  # votes started (each click once)
        counter = iter(range(questions))
        api_votes = votes - votes // 10
        slack_votes = votes // 10

        def ask(client, i: int) -> None:
            q = asks[i]
            rid = f"q{i:04d}"
            for name in bal.pick(i):
                try:
                    r = client.post(urls[name] + "/api/ask", json={"question": q}, headers={"X-Request-ID": rid})
                except httpx.TransportError:
                    with lock:
                        refused_conn.append(rid)
                    bal.failed(name)
                    continue
                if r.status_code != 200:
                    with lock:
                        http_errors.append(f"{rid} on {name}: HTTP {r.status_code} {r.text[:100]}")
                    return
                d = r.json()
                bal.back(name)  # it answers: up (again)
                with lock:
                    answered[d["id"]] = {"question": q, "replica": name, "rid": rid, "status": d["status"]}
                    by_replica[name] += 1
                return
            with lock:
                http_errors.append(f"{rid}: no replica reachable")

        def vote(client, i: int) -> None:
            with lock:
                ids = list(answered)
                if not ids:
                    return
                answer_id = ids[(i * 7) % len(ids)]
            for name in bal.pick(i + 1):  # often the other replica than the one that answered
                try:
                    r = client.post(urls[name] + "/api/feedback",
                                    json={"answer_id": answer_id, "rating": 1 if i % 3 else -1})
                except httpx.TransportError:
                    bal.failed(name)
                    continue
                if r.status_code == 200:
                    with lock:
                        vote_acks[r.json()["id"]] = answer_id
                else:
                    with lock:
                        vote_errors.append(f"vote on {name}: HTTP {r.status_code} {r.text[:100]}")
                return

        def client_thread() -> None:
            with httpx.Client(timeout=60) as client:
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    ask(client, i)
                    with lock:
                        mine = i % max(questions // api_votes, 1) == 0 and slots[0] < api_votes
                        slots[0] += mine
                    if mine:
                        vote(client, i)
                    with lock:
                        progress[0] += 1
                    time.sleep(PACE_S)  # the run lasts long enough for its faults to land in the middle of it

        def at(fraction: float) -> None:
            wait_until(lambda: progress[0] >= fraction * questions, 600, 0.02)

        # the faults, in order, from one thread
        events: dict = {}

        def faults() -> None:
            at(0.15)
            events.update(slack_duplicates(slack_api, slack, bots))
            at(0.30)
            t = time.perf_counter()
            pg.stop()
            events["pg_stopped_at"] = progress[0]
            at(0.40)  # B dies while the database is away: what it acknowledged is only in its spool
            b.kill9()
            events["b_killed_at"] = progress[0]
            events["b_spooled_at_kill"] = spooled(work / "B" / "spool")
            time.sleep(max(0.0, outage_s - (time.perf_counter() - t)))
            pg.start()
            events["pg_down_s"] = round(time.perf_counter() - t, 1)
            events["pg_restarted_at"] = progress[0]
            b.start()  # the container restarts on the same home and replays its spool
            events["b_restarted"] = ready(urls["B"], b)
            events["b_back_at"] = progress[0]
            bal.back("B")

        say(f"replicas: {questions} questions and {votes} votes over both replicas; Slack duplicates, a PostgreSQL "
            "outage and a SIGKILL along the way")
        t_load = time.perf_counter()
        fault_thread = threading.Thread(target=faults, daemon=True)
        fault_thread.start()
        clients = [threading.Thread(target=client_thread) for _ in range(8)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        load_s = time.perf_counter() - t_load
        fault_thread.join(READY_S + 60)
        slack_thanks = slack_feedback(slack_api, slack, bots, slack_votes)
        with httpx.Client(timeout=60) as client:
            k = 0
            while len(vote_acks) < api_votes and k < 3 * api_votes:  # top up when the run gave fewer
                vote(client, len(vote_acks) * 13 + k)
                k += 1
        res.update(events)
        res.update({"load_s": round(load_s, 1), "answered": len(answered), "by_replica": dict(by_replica),
                    "retried_after_refusal": len(refused_conn), "http_errors": len(http_errors),
                    "api_votes_acked": len(vote_acks), "slack_votes_acked": slack_thanks,
                    "vote_errors": len(vote_errors)})
        errors += http_errors[:5] + vote_errors[:5]
        for name, proc in (("A", a), ("B", b)):  # a server error: what the replica logged about it
            if any(f" on {name}: HTTP 5" in e for e in http_errors):
                errors.append(f"{name}'s log at its last traceback: {proc.last_traceback()}")
        if not events.get("b_restarted"):
            errors.append(f"replica B did not come back after the SIGKILL: {b.tail()}")

        # A's /metrics: two workers, one sum
        try:
            text = httpx.get(urls["A"] + "/metrics", timeout=10).text
            counted = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                          if line.startswith('kbqa_requests_total{frontend="api"')
                          and ('status="answered"' in line or 'status="not_covered"' in line))
            res["a_metrics_answers"] = int(counted)
            if int(counted) != by_replica["A"]:
                errors.append(f"A's /metrics counted {counted:.0f} answers, A gave {by_replica['A']}")
        except Exception as e:  # noqa: BLE001
            errors.append(f"A's /metrics unreadable: {e}")

        # 4. stop everything (each drains its spool), then read the database
        say("replicas: stopping every process (SIGTERM) and reading the database")
        res["exit_codes"] = {p_.name: p_.stop() for p_ in procs}
        verify(pg.url, answered, vote_acks, slack_thanks, slack, res, errors)
        res["a_request_lines"] = request_lines(a.log, [v["rid"] for v in answered.values() if v["replica"] == "A"])
        if res["a_request_lines"]["missing"]:
            errors.append(f"A's JSON log lacks the request line of {res['a_request_lines']['missing']} requests")
    res["seconds"] = round(time.perf_counter() - t_start, 1)
    res["rps"] = round(res["answered"] / res["load_s"], 1) if res.get("load_s") else None
    return res


def slack_duplicates(slack_api, slack, bots) -> dict:
    """One app_mention delivered to bot1, to bot2 as retry 1, to bot1 as retry 2: answered exactly once."""
    msg = slack.add_message("CDUP", "<@UBOT> 容器网络怎么选型？", user="UCAROL")
    event = {"type": "app_mention", "user": "UCAROL", "text": msg["text"], "ts": msg["ts"], "channel": "CDUP",
             "event_ts": msg["ts"]}
    codes = [slack_api.post_event(bots["bot1"], SECRET, event, event_id="EvDUPLICATE1").status,
             slack_api.post_event(bots["bot2"], SECRET, event, event_id="EvDUPLICATE1", retry_num=1).status,
             slack_api.post_event(bots["bot1"], SECRET, event, event_id="EvDUPLICATE1", retry_num=2).status]
    slack.wait_for("chat.postMessage", 1, timeout=60)
    time.sleep(1.5)  # a second answer would have been posted by now
    posts = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "CDUP"]
    return {"slack_deliveries": len(codes), "slack_delivery_codes": codes, "slack_answers": len(posts),
            "slack_event_ts": msg["ts"]}


def slack_feedback(slack_api, slack, bots, n: int) -> int:
    """``n`` button clicks on answers of both bots (distinct users, so none is a repeat); the "thanks" replies."""
    if n <= 0:
        return 0
    thanks_before = len(slack.calls_to("response_url"))
    messages = []
    for k in range(max(1, (n + 1) // 2)):
        channel = f"CFB{k}"
        msg = slack.add_message(channel, "<@UBOT> 灰度发布怎么做", user="UDAVE")
        event = {"type": "app_mention", "user": "UDAVE", "text": msg["text"], "ts": msg["ts"], "channel": channel,
                 "event_ts": msg["ts"]}
        slack_api.post_event(bots["bot1" if k % 2 else "bot2"], SECRET, event, event_id=f"EvFB{k}")
        wait_until(lambda: any(m.get("user") == "UBOT" for m in slack.messages.get(channel, [])), 60)
        posted = [m for m in slack.messages.get(channel, []) if m.get("user") == "UBOT"][-1]
        messages.append((channel, posted))
    for i in range(n):
        channel, posted = messages[i % len(messages)]
        payload = slack_api.block_actions_payload(posted, "kbqa_feedback_up" if i % 2 else "kbqa_feedback_down",
                                                  channel=channel, response_url=slack.response_url(f"fb{i}"),
                                                  user_id=f"UVOTER{i}")
        slack_api.post_action(bots["bot1" if i % 2 else "bot2"], SECRET, payload)
    wait_until(lambda: len(slack.calls_to("response_url")) >= thanks_before + n, 60)
    return len([c for c in slack.calls_to("response_url")[thanks_before:] if "已记录" in (c.params.get("text") or "")
                and "已记录过" not in (c.params.get("text") or "")])


def verify(url: str, answered: dict, vote_acks: dict, slack_thanks: int, slack, res: dict, errors: list) -> None:
    import sqlalchemy as sa

    from kbqa.store import schema
    from kbqa.store.db import Database

    db = Database(url)
    t, f = schema.questions, schema.feedback
    with db.begin() as conn:
        rows = conn.execute(sa.select(t.c.id, t.c.frontend, t.c.question, t.c.status, t.c.request_id,
                                      t.c.user_hash, t.c.channel_hash)).all()
        fb = conn.execute(sa.select(f.c.id, f.c.source, f.c.answer_id, f.c.user_hash)).all()
    db.dispose()
    api = {r.id: r for r in rows if r.frontend == "api"}
    missing = [i for i in answered if i not in api]
    wrong = [i for i, v in answered.items() if i in api and (api[i].question != v["question"]
                                                             or api[i].status != v["status"])]
    extra = [r for i, r in api.items() if i not in answered]
    rids = [r.request_id for r in api.values()]
    twice = {rid for rid in rids if rids.count(rid) > 1}
    res.update({"log_rows_api": len(api), "log_missing": len(missing), "log_wrong": len(wrong),
                "log_unacknowledged": len(extra), "log_request_ids_twice": len(twice)})
    if missing:
        errors.append(f"{len(missing)} answered requests are not in the question log, e.g. {missing[:3]}")
    if wrong:
        errors.append(f"{len(wrong)} log rows do not match their request, e.g. {wrong[:3]}")
    # a row no client received: only a request B had answered when it was killed (its reply lost, then retried)
    retried = res.get("retried_after_refusal", 0)
    if len(extra) > retried or any(r.request_id not in twice for r in extra):
        errors.append(f"{len(extra)} log rows answer no request (only the {retried} retried at the kill may)")
    fb_ids = {r.id for r in fb}
    lost = [i for i in vote_acks if i not in fb_ids]
    slack_fb = [r for r in fb if r.source == "slack"]
    res.update({"feedback_rows_api": sum(r.source == "api" for r in fb), "votes_lost": len(lost),
                "feedback_rows_slack": len(slack_fb)})
    if lost:
        errors.append(f"{len(lost)} acknowledged votes are not in the feedback table")
    if sum(r.source == "api" for r in fb) != len(vote_acks):
        errors.append(f"{sum(r.source == 'api' for r in fb)} API feedback rows for {len(vote_acks)} acknowledged")
    if len(slack_fb) != slack_thanks:
        errors.append(f"{len(slack_fb)} Slack feedback rows for {slack_thanks} acknowledged clicks")
    if res.get("slack_answers") != 1:
        errors.append(f"the duplicated Slack event was answered {res.get('slack_answers')} times")
    slack_rows = [r for r in rows if r.frontend == "slack"]
    res["log_rows_slack"] = len(slack_rows)
    posts = len([c for c in slack.calls_to("chat.postMessage")])
    if len(slack_rows) != posts:
        errors.append(f"{len(slack_rows)} Slack questions logged for {posts} Slack answers posted")
    if any(r.user_hash in (None, "UCAROL", "UDAVE") or r.channel_hash == "CDUP" for r in slack_rows) or \
            any(r.user_hash is None or r.user_hash.startswith("U") for r in slack_fb):
        errors.append("Slack ids are not stored as hashes")


def check_replicas(quick: bool = False, say=None):
    """``run`` as a stress check (``make stress``): skipped, saying why, without PostgreSQL, and with ``--quick``
    (a minute of processes; tests/system/test_replicas.py runs it in the suite)."""
    from kbqa.devtools.stress.findings import Findings

    why = "not with --quick (make stress runs it)" if quick else available()
    if why:
        if say:
            say(f"replicas: skipped: {why}")
        return Findings(figures={"skipped": why})
    res = run(questions=500, votes=100, say=say)
    found = Findings(requests=res.get("questions", 0) + res.get("votes", 0) + 3, faults=3, figures=res,
                     lost=res.get("log_missing", 0) + res.get("votes_lost", 0))
    for e in res["errors"]:
        found.error(f"replicas: {e}")
    return found


def report(res: dict) -> list[str]:
    """The figures as lines (``make stress`` prints them)."""
    if res.get("skipped"):
        return [f"  replicas         skipped: {res['skipped']}"]
    br = res.get("by_replica", {})
    return [
        f"  replicas         2 web replicas (A: 2 workers, B: 1) + 2 Slack bots on PostgreSQL, {res.get('seconds')} s"
        f" (start {res.get('start_s')} s, load {res.get('load_s')} s, {res.get('rps')} answers/s)",
        f"    questions      {res.get('questions')} sent, {res.get('answered')} answered (A {br.get('A')}, B {br.get('B')}),"
        f" {res.get('retried_after_refusal')} retried after B's SIGKILL, {res.get('http_errors')} errors",
        f"    question log   {res.get('log_rows_api')} API rows: {res.get('log_missing')} answered requests missing,"
        f" {res.get('log_wrong')} wrong, {res.get('log_unacknowledged')} recorded but never delivered (in flight"
        f" at the kill); A's /metrics counted {res.get('a_metrics_answers')} of A's {br.get('A')}",
        f"    feedback       {res.get('api_votes_acked')} API + {res.get('slack_votes_acked')} Slack votes acknowledged,"
        f" {res.get('feedback_rows_api')} + {res.get('feedback_rows_slack')} stored, {res.get('votes_lost')} lost",
        f"    slack          one event delivered {res.get('slack_deliveries')}x to 2 bots (retries 1, 2):"
        f" answered {res.get('slack_answers')}x; {res.get('log_rows_slack')} Slack questions logged",
        f"    faults         PostgreSQL stopped at request {res.get('pg_stopped_at')} for {res.get('pg_down_s')} s;"
        f" B killed with SIGKILL at request {res.get('b_killed_at')} holding {res.get('b_spooled_at_kill')} records"
        f" in its spool only, restarted on its home (serving again at request {res.get('b_back_at')})",
    ] + [f"    error: {e}" for e in res.get("errors", [])]
