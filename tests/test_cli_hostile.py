"""The command line against hostile and odd input: a clean message and exit status, never a
traceback, whatever the formula, the bytes on standard input or the terminal's encoding."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scripts import installed_script, interruptible, run_in_process


def _script(args: list[str], stdin: bytes = b"", **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [installed_script(), *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_standard_input_that_is_not_utf8_is_one_bad_line() -> None:
    result = _script(["grad", "-"], b"x^2\n\xff\xfe\nsin(x)\n", PYTHONIOENCODING="utf-8")
    assert result.returncode == 2
    assert result.stdout.decode().splitlines() == ["∂/∂x = 2*x", "", "∂/∂x = cos(x)"]
    assert b"line 2" in result.stderr and b"Traceback" not in result.stderr


def test_an_output_that_cannot_encode_greek_letters_is_escaped() -> None:
    result = _script(["grad", "θ^2*x"], PYTHONIOENCODING="cp1252")
    assert result.returncode == 0 and b"Traceback" not in result.stderr
    assert result.stdout.decode("cp1252").strip() == "d/dθ = 2*x*θ; d/dx = θ^2".replace(
        "θ", "\\u03b8"
    )


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    formulas = tmp_path / "formulas.txt"
    formulas.write_bytes(b"x^2\n" * 200_000)
    reader = subprocess.Popen(["head", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert reader.stdin is not None and reader.stdout is not None
    with formulas.open("rb") as stdin:
        writer = subprocess.Popen(
            [installed_script(), "grad", "-"],
            stdin=stdin,
            stdout=reader.stdin,
            stderr=subprocess.PIPE,
        )
        reader.stdin.close()
        _, errors = writer.communicate(timeout=60)
    assert reader.stdout.read() == "∂/∂x = 2*x\n".encode()
    reader.wait(timeout=60)
    assert writer.returncode == 141
    assert b"Traceback" not in errors


def test_ctrl_c_stops_the_command_without_a_traceback() -> None:
    process = subprocess.Popen(
        [installed_script(), "latex", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=interruptible,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"x^2\n")
    process.stdin.flush()
    assert process.stdout.readline() == b"x^{2}\n"  # the command is reading input now
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130
    assert errors == b"symdiff: interrupted\n"


def test_one_endless_line_costs_bounded_memory() -> None:
    # 3 MB of one line, past the 2,000,000-character limit: refused, and the next line runs.
    result = run_in_process(["latex", "-"], stdin="x+" * 1_500_000 + "x\nx^2\n")
    assert result.returncode == 2
    assert result.stdout.splitlines() == ["", "x^{2}"]
    assert "longer than the limit of 2,000,000 characters" in result.stderr


def test_values_that_are_not_finite_numbers_are_bad_input() -> None:
    for value in ("inf", "1e400", "y", "nan"):
        result = run_in_process(["x", "--at", f"x={value}"])
        assert result.returncode == 2, value
        assert "Traceback" not in result.stderr


def test_the_main_form_reads_formulas_from_standard_input() -> None:
    result = run_in_process(["-", "--at", "x=1"], stdin="x^2\n2x\nsin(x)\n")
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "value = 1.0; ∂/∂x = 2.0",
        "",
        "value = 0.8414709848078965; ∂/∂x = 0.5403023058681398",
    ]
    assert "symdiff: line 2: implicit multiplication" in result.stderr


def test_a_mistyped_command_is_named() -> None:
    result = run_in_process(["jacobain", "x*y", "x+y"])
    assert result.returncode == 1
    assert "'jacobain' is not a command; did you mean jacobian?" in result.stderr
    # An unknown option after a formula is still an unknown option.
    assert "unrecognized arguments: --frobnicate\n" in run_in_process(["x", "--frobnicate"]).stderr


def test_counts_take_ascii_digits_only() -> None:
    result = run_in_process(["diff", "x^2", "x", "--order", "٣"])
    assert result.returncode == 1
    assert "whole number" in result.stderr


@pytest.mark.slow
def test_a_batch_with_many_bad_lines_costs_linear_time() -> None:
    start = time.perf_counter()
    result = run_in_process(["grad", "-"], stdin="2x\n" * 20_000)
    assert result.returncode == 2
    assert result.stderr.count("implicit multiplication") == 20_000
    assert "line 20000, column 2" in result.stderr
    assert time.perf_counter() - start < 30  # quadratic was minutes


def test_the_command_runs_the_entry_point_python_uses() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "symdiff", "diff", "x^3", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout == "3*x^2\n"
