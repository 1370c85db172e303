"""`kbqa bench --stress` (`make stress`): bad input, load and injected faults against the configured engine.

Runs, in one process (the web server in a thread on a free loopback port, temp folders for everything it
breaks, so the real index and feedback store are never touched):

1. inputs (``inputs``): every entry of ``JUNK_QUESTIONS`` straight to ``Engine.ask`` and over ``POST /api/ask``,
   plus the raw ``bad_bodies`` (invalid UTF-8, wrong types, over-size, deep nesting...). Each must give 200 or
   a one-line 4xx.
2. load (``load``): 32 clients x 50 requests (``--quick``: 8 x 10) of in-scope, out-of-scope and junk
   questions; every answer must equal the one the engine gave in-process before the load (same status, topic
   and text). A stalled client (headers sent, body never) is held open meanwhile. RSS is measured before and
   after.
3. faults (``faults``, ``feedback``): the index copied to a temp home and corrupted, truncated, deleted, or
   mismatched (other corpus, other model) must be refused by ``IndexStore.load``, and the engine must rebuild
   it and give the same answer; a ``build`` killed with SIGKILL midway must leave the previous index loadable;
   a damaged model folder must be detected; the feedback store gets concurrent writers (threads as web and
   Slack, two processes) and one writer killed with SIGKILL: every committed record must be there after a
   reopen.
4. replicas (``replicas``): two ``kbqa serve`` replicas and two Slack bots on a throwaway PostgreSQL through a
   PostgreSQL outage, a SIGKILL and duplicated Slack deliveries (skipped, saying why, without PostgreSQL).

Each check is a function returning ``Findings`` (requests, errors, inputs, faults, lost, notes, figures);
``run`` sums them. Prints requests sent, errors, faults injected, inputs tried and records lost; exit 1 if
errors or lost > 0.
"""
from kbqa.devtools.stress.faults import check_index_faults, check_killed_build, check_model_fault, killed_build
from kbqa.devtools.stress.feedback import check_feedback, feedback_torture
from kbqa.devtools.stress.findings import Findings
from kbqa.devtools.stress.inputs import JUNK_QUESTIONS, OUT_OF_SCOPE, bad_bodies, check_inputs, limit_questions
from kbqa.devtools.stress.load import check_load
from kbqa.devtools.stress.runner import report, run, run_cli

__all__ = ["JUNK_QUESTIONS", "OUT_OF_SCOPE", "Findings", "bad_bodies", "check_feedback", "check_index_faults",
           "check_inputs", "check_killed_build", "check_load", "check_model_fault", "feedback_torture",
           "killed_build", "limit_questions", "report", "run", "run_cli"]
