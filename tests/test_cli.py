"""The ``symdiff`` command: most tests through its entry function in this process; a few run
the installed script (and ``python -m symdiff``) outside the checkout, as users run it."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scripts import Completed, installed_script, run_in_process

import symdiff
from symdiff.cli.main import COMMANDS


def _environment(encoding: str = "utf-8") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONIOENCODING"] = encoding
    return env


def run(*args: str, encoding: str = "utf-8") -> Completed:
    return run_in_process(args, encoding=encoding)


def run_script(
    *args: str, cwd: Path, module: bool = False, encoding: str = "utf-8"
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "symdiff"] if module else [installed_script()]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=_environment(encoding),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def rows(stdout: str) -> dict[str, str]:
    """``label  value`` lines as a dict (labels have no double spaces)."""
    table = {}
    for line in stdout.splitlines():
        label, _, value = line.partition("  ")
        table[label] = value.strip()
    return table


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory that is not the checkout."""
    return tmp_path


def test_value_and_partials_one_per_line(outside: Path) -> None:
    result = run_script("sin(x*y)+cos(x*y)", "--at", "x=2,y=3", cwd=outside)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [line.split("  ")[0] for line in lines] == ["expression", "at", "value", "∂/∂x", "∂/∂y"]
    table = rows(result.stdout)
    assert table["expression"] == "sin(x*y) + cos(x*y)"
    assert table["at"] == "x = 2.0, y = 3.0"
    r = 6.0
    assert math.isclose(float(table["value"]), math.sin(r) + math.cos(r))
    assert math.isclose(float(table["∂/∂x"]), 3 * (math.cos(r) - math.sin(r)))
    assert math.isclose(float(table["∂/∂y"]), 2 * (math.cos(r) - math.sin(r)))


def test_json_output() -> None:
    result = run("sin(x*y)+cos(x*y)", "--at", "x=2,y=3", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"expression", "variables", "point", "value", "gradient"}
    assert document["expression"] == "sin(x*y) + cos(x*y)"
    assert document["variables"] == ["x", "y"]
    assert document["point"] == {"x": 2.0, "y": 3.0}
    expected = symdiff.differentiate("sin(x*y)+cos(x*y)", x=2, y=3)
    assert document["value"] == expected.value
    assert document["gradient"] == dict(expected)


def test_values_may_be_constant_formulas() -> None:
    result = run("sin(theta)^2", "--at", "theta=pi/4", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["point"] == {"theta": math.pi / 4}
    assert math.isclose(document["value"], 0.5)
    assert math.isclose(document["gradient"]["theta"], 1.0)  # 2 sin cos at pi/4


def test_values_with_commas_inside_calls_and_repeated_options() -> None:
    result = run("x + y + z", "--at", "x=atan2(1, 1),y=2", "--at", "z=e", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["point"] == {"x": math.pi / 4, "y": 2.0, "z": math.e}


@pytest.mark.parametrize(
    "arguments",
    [["-x^2", "--at", "x=3"], ["--at", "x=3", "-x^2"], ["--at", "x=3", "--", "-x^2"]],
)
def test_a_formula_may_start_with_a_minus(arguments: list[str]) -> None:
    result = run(*arguments)
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert table["expression"] == "-x^2"
    assert float(table["value"]) == -9.0
    assert float(table["∂/∂x"]) == -6.0


def test_a_constant_formula_needs_no_point() -> None:
    result = run("2 + 3")
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout) == {"expression": "2 + 3", "value": "5.0"}


def test_a_bad_formula_shows_a_caret_and_exits_2(outside: Path) -> None:
    result = run_script("2x + 1", "--at", "x=1", cwd=outside)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert "implicit multiplication" in result.stderr
    assert "\n  2x + 1\n   ^\n" in result.stderr
    assert "did you mean 2*x + 1?" in result.stderr


def test_a_bad_value_shows_a_caret_and_exits_2() -> None:
    result = run("x", "--at", "x=2y")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "in the value of x" in result.stderr
    assert "\n  2y\n   ^\n" in result.stderr


def test_a_domain_error_exits_2() -> None:
    result = run("log(x)", "--at", "x=-1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "log(x)" in result.stderr


def test_missing_values_exit_2() -> None:
    result = run("x*y", "--at", "x=1")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no value given for y" in result.stderr
    assert "symdiff grad" not in result.stderr  # values were given: only the missing one


def test_no_values_at_all_says_how_to_give_them_or_get_formulas() -> None:
    result = run("x^2*y")
    assert result.returncode == 2
    assert "no value given for x, y" in result.stderr
    assert "--at NAME=VALUE" in result.stderr and "symdiff grad 'x^2*y'" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["x", "--at", "x"], "NAME=VALUE"),
        (["x", "--at", "x=1,x=2"], "twice"),
        (["x", "--frobnicate"], "unrecognized"),
    ],
)
def test_usage_errors_exit_1(arguments: list[str], message: str) -> None:
    result = run(*arguments)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        # A word that is not an option is read as a formula (--jsn is -(-jsn)), so argparse
        # once complained only about the word left over: "unrecognized arguments: x*y".
        (["x*y", "--at", "x=1,y=2", "--jsn"], "--jsn is not an option; did you mean --json?"),
        (["x*y", "--a", "x=1,y=2"], "--a is not an option; did you mean --at?"),
        (["grad", "--jsn", "x*y", "--at", "x=1,y=2"], "did you mean --json?"),
        (["diff", "x^3", "x", "--ordr", "2"], "--ordr is not an option; did you mean --order?"),
        (["x*y", "--at", "x=1,y=2", "extra"], "error: unrecognized arguments: extra\n"),
    ],
)
def test_a_mistyped_option_is_named_with_the_one_meant(arguments: list[str], message: str) -> None:
    result = run(*arguments)
    assert result.returncode == 1
    assert message in result.stderr


@pytest.mark.parametrize(
    ("arguments", "extra", "hint", "meant"),
    [
        (["x^2", "x=2"], "x=2", "--at x=2", ["x^2", "--at", "x=2"]),
        (["x*y", "x=2", "y=3"], "x=2 y=3", "--at x=2,y=3", ["x*y", "--at", "x=2,y=3"]),
        (["grad", "x*y", "x=1,y=2"], "x=1,y=2", "--at x=1,y=2", ["grad", "x*y", "--at", "x=1,y=2"]),
        (["x*y", "--at", "x=1", "y=2"], "y=2", "--at y=2", ["x*y", "--at", "x=1", "--at", "y=2"]),
    ],
)
def test_values_without_at_are_pointed_to_at(
    arguments: list[str], extra: str, hint: str, meant: list[str]
) -> None:
    result = run(*arguments)
    assert result.returncode == 1 and result.stdout == ""
    expected = f"unrecognized arguments: {extra}; values are given after --at: {hint}\n"
    assert result.stderr.endswith(expected)
    assert run(*meant).returncode == 0  # what the hint says to type works


def test_other_extra_words_are_only_named() -> None:
    # Not a value, or a command that takes no --at: argparse's words alone.
    for arguments, words in [
        (["x*y", "--at", "x=1,y=2", "y"], "y"),
        (["latex", "x^2", "x=1"], "x=1"),
    ]:
        result = run(*arguments)
        assert result.returncode == 1
        assert result.stderr.endswith(f"error: unrecognized arguments: {words}\n")


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"symdiff {symdiff.__version__}"


def test_help_mentions_examples() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout
    assert "symdiff 'sin(x*y) + cos(x*y)' --at x=2,y=3" in result.stdout
    assert "--json" in result.stdout


def test_the_usage_line_names_every_command() -> None:
    # It once named ten of the fourteen (explain, graph, check and plot were missing).
    result = run("--help")
    usage = result.stdout.split("\n\n")[0]
    listed = usage.split("{")[1].split("}")[0].replace("\n", "").replace(" ", "").split(",")
    assert listed == [*COMMANDS, "repl"]
    assert all(len(line) <= 80 for line in usage.splitlines())


def test_python_dash_m_is_the_same_command(outside: Path) -> None:
    arguments = ("sin(x*y)+cos(x*y)", "--at", "x=2,y=3")
    as_module = run_script(*arguments, cwd=outside, module=True)
    as_script = run_script(*arguments, cwd=outside)
    assert as_module.returncode == 0, as_module.stderr
    assert as_module.stdout == as_script.stdout


def test_a_terminal_without_unicode_gets_ascii_labels(outside: Path) -> None:
    result = run_script("x^2", "--at", "x=3", cwd=outside, encoding="ascii")
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout)["d/dx"] == "6.0"
    # The other tests run the entry function with streams like these: they must agree.
    assert run("x^2", "--at", "x=3", encoding="ascii") == Completed(0, result.stdout, "")


def test_a_formula_starting_with_a_misplaced_token_is_bad_input() -> None:
    result = run(")")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unexpected ')'" in result.stderr
    assert "\n  )\n  ^\n" in result.stderr


def test_a_formula_may_start_with_a_double_minus() -> None:
    result = run("--x^2", "--at", "x=3")
    assert result.returncode == 0, result.stderr
    assert float(rows(result.stdout)["value"]) == 9.0
    # No abbreviated options either: --v is the formula -(-v), not --version.
    result = run("--v", "--at", "v=2")
    assert result.returncode == 0, result.stderr
    assert float(rows(result.stdout)["value"]) == 2.0
