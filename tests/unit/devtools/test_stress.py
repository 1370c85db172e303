"""`kbqa bench --stress`: how findings add up, the report, and `--json` printing JSON alone. The checks
themselves run in tests/system (test_load, test_faults, test_bad_input) and tests/unit/store/test_feedback."""
from __future__ import annotations

import argparse
import json

from kbqa.devtools import stress
from kbqa.devtools.stress import runner


def test_findings_add_up_and_keep_the_first_notes():
    total = stress.Findings(requests=3)
    part = stress.Findings(faults=2, lost=1)
    for i in range(40):
        part.error(f"e{i}")
    total.add(part)
    assert (total.requests, total.errors, total.faults, total.lost) == (3, 40, 2, 1)
    assert total.notes == [f"e{i}" for i in range(stress.Findings.MAX_NOTES)]


def _result(errors=0, lost=0):
    return {"embedder": "hash-ngrams", "quick": True, "seconds": 1.0, "requests_sent": 10, "errors": errors,
            "faults_injected": 9, "inputs_tried": 40, "records_lost": lost, "error_notes": ["x"] * errors,
            "load": {"clients": 8, "requests": 80}, "feedback": {"written": 5}}


def test_report_ends_with_pass_or_fail():
    assert stress.report(_result()).endswith("PASS")
    assert stress.report(_result(lost=1)).endswith("FAIL")
    assert "  error: x" in stress.report(_result(errors=1))


def test_json_output_is_json_alone_and_the_exit_code_says_fail(monkeypatch, capsys):
    def noisy_run(quick, progress):
        print("a library talking")
        progress("a step")
        return _result(errors=1)

    monkeypatch.setattr(runner, "run", noisy_run)
    assert stress.run_cli(argparse.Namespace(json=True, quick=True)) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["errors"] == 1
    assert "a library talking" in err and "kbqa stress: a step" in err


def test_model_fault_is_skipped_without_a_built_e5_folder(fake_engine, tmp_path):
    said = []
    found = stress.check_model_fault(fake_engine, tmp_path, said.append)
    assert found.faults == 0 and found.errors == 0 and "skipped" in said[0]


def test_a_process_log_gives_its_last_traceback(tmp_path):
    from kbqa.devtools.stress.harness import Proc

    proc = Proc("A", ["serve"], {}, tmp_path)
    proc.log.write_text("start\nTraceback (most recent call last):\n  old\nOldError\nok\n"
                        "Traceback (most recent call last):\n  File \"x.py\"\nValueError: boom\n")
    assert proc.last_traceback() == 'Traceback (most recent call last): | File "x.py" | ValueError: boom'
    proc.log.write_text("one\ntwo\n")
    assert proc.last_traceback() == "one | two"  # none: the last lines
    error = '{"level": "error", "logger": "kbqa.web", "msg": "kbqa web: /api/ask failed", "error": "KeyError: 3"}'
    proc.log.write_text(f'{{"level": "info"}}\n{error}\n{{"level": "info", "msg": "request"}}\n')
    assert proc.last_traceback() == error  # the JSON log's error record, not the requests after it
