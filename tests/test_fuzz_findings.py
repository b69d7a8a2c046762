"""What the fuzzer (fuzz/fuzz_symdiff.py) found, each minimised to the input that shows it and
kept here so it stays fixed. A finding inside code another change is reworking is marked
``xfail(strict=True)`` with its reason, so the fix there turns it into an ordinary test.
"""

from __future__ import annotations

import json

from scripts import run_in_process


def test_jacobian_at_an_empty_point_is_numbers_or_a_missing_value() -> None:
    # --at '' is a point with no values: the Jacobian there was a matrix of formulas, which
    # --json could not write (TypeError, a traceback).
    missing = run_in_process(["jacobian", "x*y", "--json", "--at", ""])
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "no value given for x" in missing.stderr
    constant = run_in_process(["jacobian", "2", "3", "--json", "--at", ""])
    assert constant.returncode == 0, constant.stderr
    assert json.loads(constant.stdout)["jacobian"] == [[], []]
