"""The subcommands and the piped session, from a directory outside the checkout: through the
command's entry function in this process, and a piped session and the README's shell examples
through the installed ``symdiff`` script, as users run them."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest
from scripts import Completed, installed_script, run_in_process

import symdiff


class Symdiff:
    """The command in a temporary home and working directory, with no terminal: through its
    entry function in this process, or (``script``) the installed script."""

    def __init__(self, directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.directory = directory
        monkeypatch.delenv("SYMDIFF_HISTORY", raising=False)
        monkeypatch.setenv("HOME", str(directory))
        monkeypatch.setenv("XDG_DATA_HOME", str(directory / "data"))
        monkeypatch.chdir(directory)

    def __call__(self, *args: str, stdin: str = "", encoding: str = "utf-8") -> Completed:
        return run_in_process(args, stdin=stdin, encoding=encoding)

    def script(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONIOENCODING"] = "utf-8"
        return subprocess.run(
            [installed_script(), *args],
            cwd=self.directory,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )


@pytest.fixture
def symdiff_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Symdiff:
    return Symdiff(tmp_path, monkeypatch)


def ok(result: Completed | subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def d(formula: str, var: str = "x", order: int = 1) -> str:
    """The library's derivative as text, however the simplifier writes it."""
    return str(symdiff.derivative(formula, var, order))


# --- the session, piped ---------------------------------------------------------------------


def test_a_piped_line_is_answered_without_a_prompt(symdiff_command: Symdiff) -> None:
    assert ok(symdiff_command(stdin="d/dx x^2\n")) == f"{d('x^2')}\n"


def test_a_piped_session_keeps_its_names(symdiff_command: Symdiff) -> None:
    script = "f = sin(x*y) + cos(x*y)\nx = 2; y = 3\nf\ng(t) = t^2 + 1\nd/dx g(x)\n:vars\n"
    lines = ok(symdiff_command.script("repl", stdin=script)).splitlines()
    assert lines[0].startswith("f = sin(x*y) + cos(x*y) = 0.68075478845")
    assert lines[1] == f"{d('x^2 + 1')} = 4.0"
    assert lines[2:] == ["x = 2.0", "y = 3.0", "f = sin(x*y) + cos(x*y)", "g(t) = t^2 + 1"]
    assert not (symdiff_command.directory / "data").exists()  # no history without a terminal


def test_piped_errors_name_their_line_the_rest_runs_and_the_status_is_2(
    symdiff_command: Symdiff,
) -> None:
    result = symdiff_command(stdin="x = 2\n2x\nx^2\nlog(\n")
    assert result.returncode == 2
    assert result.stdout == "x^2 = 4.0\n"
    assert "Traceback" not in result.stderr
    assert "symdiff: line 2: implicit multiplication is not supported (at line 2, column 2)\n" in (
        result.stderr
    )
    assert "\n  2x\n   ^\ndid you mean 2*x?\n" in result.stderr
    assert "symdiff: line 4: unexpected end of formula" in result.stderr


def test_an_empty_piped_session_succeeds(symdiff_command: Symdiff) -> None:
    assert ok(symdiff_command(stdin="")) == ""


def test_repl_help(symdiff_command: Symdiff) -> None:
    text = ok(symdiff_command("repl", "--help"))
    assert "SYMDIFF_HISTORY" in text and "XDG_DATA_HOME" in text
    assert "echo 'd/dx x^2' | symdiff" in text
    assert "exit status" in text
    result = symdiff_command("repl", "extra")
    assert result.returncode == 1 and "unrecognized arguments" in result.stderr


# --- diff -------------------------------------------------------------------------------------


def test_diff(symdiff_command: Symdiff) -> None:
    assert ok(symdiff_command("diff", "sin(x*y)", "x")) == f"{d('sin(x*y)')}\n"
    assert ok(symdiff_command("diff", "x^5", "x", "--order", "3")) == f"{d('x^5', 'x', 3)}\n"
    assert ok(symdiff_command("diff", "-x^2", "x")) == f"{d('-x^2')}\n"
    assert ok(symdiff_command("diff", "x^3", "x", "--at", "x=2")) == "12.0\n"


def test_diff_json(symdiff_command: Symdiff) -> None:
    document = json.loads(ok(symdiff_command("diff", "x^3*y", "y", "--json")))
    assert document == {
        "expression": "x^3*y",
        "variable": "y",
        "order": 1,
        "derivative": d("x^3*y", "y"),
    }
    document = json.loads(ok(symdiff_command("diff", "x^3", "x", "--at", "x=2", "--json")))
    assert document["point"] == {"x": 2.0} and document["value"] == 12.0


# Where the function is undefined, a derivative has no value at all, though its formula
# may have one there (d/dx log(x) is 1/x, -1 at x = -1): diff --at, grad --at and
# hessian --at refuse alike, with the function's own error.
OUTSIDE_THE_DOMAIN = [
    ("log(x)", "x=-1", "log(x) is undefined"),
    ("atanh(x)", "x=2", "atanh(x) is undefined"),
    ("log(x, 2)*y", "x=-1,y=3", "log(x, 2) is undefined"),
    ("sqrt(x - 1) + y^2", "x=0,y=1", "sqrt(x - 1) is undefined"),
]


@pytest.mark.parametrize(("formula", "point", "message"), OUTSIDE_THE_DOMAIN)
def test_no_derivative_has_a_value_where_the_function_is_undefined(
    symdiff_command: Symdiff, formula: str, point: str, message: str
) -> None:
    expr = symdiff.parse(formula)
    at = {name: float(value) for name, value in (item.split("=") for item in point.split(","))}
    formulas_with_a_value = 0
    for name in expr.variables:
        for order in (1, 2):
            try:
                symdiff.derivative(expr, name, order).evaluate(at)
                formulas_with_a_value += 1
            except symdiff.DomainError:
                pass
            result = symdiff_command("diff", formula, name, "--order", str(order), "--at", point)
            assert result.returncode == 2 and result.stdout == ""
            assert message in result.stderr
    assert formulas_with_a_value >= 1  # what the check is for: a formula with a value there
    for command in ("grad", "hessian"):
        result = symdiff_command(command, formula, "--at", point)
        assert result.returncode == 2 and message in result.stderr


def test_diff_at_a_point_gives_the_gradient_and_the_hessian_diagonal(
    symdiff_command: Symdiff,
) -> None:
    # The same numbers on every path, the numeric conventions included: d/dy x^y at x = 0
    # is 0, where its formula x^y*log(x) has no value.
    def diff(formula: str, name: str, order: int, point: str) -> float:
        arguments = ["diff", formula, name, "--order", str(order), "--at", point, "--json"]
        return float(json.loads(ok(symdiff_command(*arguments)))["value"])

    for formula, point in [("x^y", "x=0,y=2"), ("x^y", "x=2,y=0.5"), ("sin(x*y)/y", "x=1,y=3")]:
        grad = json.loads(ok(symdiff_command("grad", formula, "--at", point, "--json")))
        for name in grad["variables"]:
            assert diff(formula, name, 1, point) == grad["gradient"][name]
    # One partial needs no other: d/dx x*sqrt(y) at y = 0 is 0, though grad --at is refused
    # there (sqrt(y) has no derivative at 0).
    assert diff("x*sqrt(y)", "x", 1, "x=1,y=0") == 0.0
    assert symdiff_command("grad", "x*sqrt(y)", "--at", "x=1,y=0").returncode == 2
    for formula, point in [("x^y", "x=2,y=0.5"), ("sin(x*y)/y", "x=1,y=3")]:
        hessian = json.loads(ok(symdiff_command("hessian", formula, "--at", point, "--json")))
        for i, name in enumerate(hessian["variables"]):
            expected = hessian["hessian"][i][i]
            assert diff(formula, name, 2, point) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (["diff", "x^2", "2"], 2, "'2' is not a variable name"),
        (["diff", "x^2", "pi"], 2, "'pi' is not a variable name"),
        (["diff", "2x", "x"], 2, "implicit multiplication"),
        (["diff", "x^2", "x", "--order", "-1"], 1, "the order is a whole number >= 0"),
        (["diff", "x^2", "x", "--order", "two"], 1, "the order is a whole number >= 0"),
        (["diff", "x^2"], 1, "required: VAR"),
        (["diff", "x^2", "x", "--frobnicate"], 1, "unrecognized arguments"),
        (["diff", "log(x)", "x", "--at", "x=0"], 2, "log(x) is undefined at x = 0.0"),
        (["grad", "x", "--at", "x"], 1, "NAME=VALUE"),
        (["grad", "x*y", "--at", "x=1"], 2, "no value given for y"),
        (["hessian"], 1, "required: EXPR"),
        (["latex", "x", "--at", "x=1"], 1, "unrecognized arguments"),
    ],
)
def test_errors_and_their_exit_status(
    symdiff_command: Symdiff, arguments: list[str], status: int, message: str
) -> None:
    result = symdiff_command(*arguments)
    assert result.returncode == status, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert message in result.stderr


def test_a_result_too_long_to_print_is_refused_not_printed(symdiff_command: Symdiff) -> None:
    deep = "sin(" * 1500 + "x" + ")" * 1500  # its derivative prints as about 10^6 nodes
    result = symdiff_command("diff", deep, "x")
    assert result.returncode == 2 and result.stdout == ""
    assert "would print as more than 1,000,000" in result.stderr
    assert float(ok(symdiff_command("diff", deep, "x", "--at", "x=0.5"))) > 0


# --- grad -------------------------------------------------------------------------------------


def test_grad_as_formulas_and_at_a_point(symdiff_command: Symdiff) -> None:
    partials = symdiff.gradient("x^2*y")
    expected = f"∂/∂x = {partials['x']}; ∂/∂y = {partials['y']}\n"
    assert ok(symdiff_command("grad", "x^2*y")) == expected
    assert ok(symdiff_command("grad", "x^2*y", "--at", "x=3,y=2")) == "∂/∂x = 12.0; ∂/∂y = 9.0\n"
    assert ok(symdiff_command("grad", "2 + 3")) == "(no variables)\n"


def test_grad_without_unicode_writes_d_dx(symdiff_command: Symdiff) -> None:
    assert ok(symdiff_command("grad", "x*y", "--at", "x=1,y=2", encoding="ascii")) == (
        "d/dx = 2.0; d/dy = 1.0\n"
    )


def test_grad_json_at_a_point_is_the_document_of_the_plain_command(
    symdiff_command: Symdiff,
) -> None:
    arguments = ("sin(x*y)+cos(x*y)", "--at", "x=2,y=3", "--json")
    plain = json.loads(ok(symdiff_command(*arguments)))
    assert json.loads(ok(symdiff_command("grad", *arguments))) == plain


def test_grad_json_as_formulas(symdiff_command: Symdiff) -> None:
    document = json.loads(ok(symdiff_command("grad", "x^2*y", "--json")))
    assert document == {
        "expression": "x^2*y",
        "variables": ["x", "y"],
        "gradient": {k: str(v) for k, v in symdiff.gradient("x^2*y").items()},
    }


def test_grad_reads_one_formula_a_line(symdiff_command: Symdiff) -> None:
    stdin = "x^2\nsin(x)\n\n2x\nlog(x - 3)\nx*y\nx^3\n"
    result = symdiff_command("grad", "--at", "x=1", "-", stdin=stdin)
    assert result.returncode == 2
    cos1 = math.cos(1)
    # One line out for every non-blank line in; a failed line gets an empty one.
    assert result.stdout.splitlines() == [
        "∂/∂x = 2.0",
        f"∂/∂x = {cos1!r}",
        "",
        "",
        "",
        "∂/∂x = 3.0",
    ]
    errors = result.stderr.splitlines()
    assert errors[0] == (
        "symdiff grad: line 4: implicit multiplication is not supported (at line 4, column 2)"
    )
    assert "symdiff grad: line 5: log(x - 3) is undefined" in result.stderr
    assert "symdiff grad: line 6: no value given for y" in result.stderr
    assert "Traceback" not in result.stderr


def test_reading_lines_that_all_succeed_exits_0(symdiff_command: Symdiff) -> None:
    result = symdiff_command("diff", "-", "x", stdin="x^2\r\nx^3\n")
    assert ok(result) == f"{d('x^2')}\n{d('x^3')}\n"


def test_json_lines_carry_their_line_number(symdiff_command: Symdiff) -> None:
    result = symdiff_command("diff", "-", "x", "--json", stdin="x^2\n\n2x\n")
    assert result.returncode == 2
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {
        "line": 1,
        "expression": "x^2",
        "variable": "x",
        "order": 1,
        "derivative": d("x^2"),
    }
    assert second["line"] == 3 and "implicit multiplication" in second["error"]


# --- hessian and latex -----------------------------------------------------------------------


def test_hessian(symdiff_command: Symdiff) -> None:
    matrix = symdiff.hessian("x^2*y")
    rows = ", ".join("[" + ", ".join(map(str, row)) + "]" for row in matrix)
    assert ok(symdiff_command("hessian", "x^2*y")) == f"[{rows}]\n"
    assert ok(symdiff_command("hessian", "x^2*y", "--at", "x=1,y=2")) == (
        "[[4.0, 2.0], [2.0, 0.0]]\n"
    )
    document = json.loads(ok(symdiff_command("hessian", "x^2*y", "--json")))
    assert document == {
        "expression": "x^2*y",
        "variables": ["x", "y"],
        "hessian": [[str(e) for e in row] for row in matrix],
    }
    document = json.loads(ok(symdiff_command("hessian", "x*y", "--at", "x=1,y=2", "--json")))
    assert document["hessian"] == [[0.0, 1.0], [1.0, 0.0]]
    assert document["point"] == {"x": 1.0, "y": 2.0}


@pytest.mark.parametrize(
    ("formula", "at"),
    [("sqrt(sqrt(x))", "x=0.7"), ("sqrt(lgamma(x))", "x=0.7"), ("atan(atan(x))", "x=0.7")],
)
def test_the_hessian_at_a_point_is_symdiff_hessians_bit_for_bit(formula: str, at: str) -> None:
    # The command evaluated the symbolic second derivatives, which round differently in
    # the last bits from symdiff.hessian's reverse sweep over each partial (found by a
    # random comparison of the two): -0.35000939511302087 against -0.3500093951130208.
    point = {"x": 0.7}
    document = json.loads(ok(run_in_process(["hessian", formula, "--at", at, "--json"])))
    assert document["hessian"] == symdiff.hessian(formula, **point)


def test_a_hessian_that_fails_names_the_failure_symdiff_hessian_names() -> None:
    result = run_in_process(["hessian", "csc(x)", "--at", "x=0"])
    assert result.returncode == 2
    with pytest.raises(symdiff.DomainError) as raised:
        symdiff.hessian("csc(x)", x=0.0)
    assert str(raised.value) in result.stderr


def test_latex(symdiff_command: Symdiff) -> None:
    assert ok(symdiff_command("latex", "sqrt(x)/(1 + x^2)")) == "\\frac{\\sqrt{x}}{1 + x^{2}}\n"
    document = json.loads(ok(symdiff_command("latex", "sin(theta)^2", "--json")))
    assert document == {
        "expression": "sin(theta)^2",
        "latex": symdiff.parse("sin(theta)^2").to_latex(),
    }
    assert ok(symdiff_command("latex", "-", stdin="x/y\n")) == "\\frac{x}{y}\n"


# --- help and version ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["diff", "grad", "hessian", "latex"])
def test_every_subcommand_has_help_with_examples(symdiff_command: Symdiff, command: str) -> None:
    text = ok(symdiff_command(command, "--help"))
    assert text.startswith(f"usage: symdiff {command}")
    assert "examples:" in text and f"symdiff {command} " in text
    assert "--json" in text and "standard input" in text
    assert "exit status: 0 success, 1 usage error" in text


def test_the_main_help_lists_the_subcommands(symdiff_command: Symdiff) -> None:
    text = ok(symdiff_command("--help"))
    for command in ["diff EXPR VAR", "grad EXPR", "hessian EXPR", "latex EXPR", "symdiff repl"]:
        assert command in text
    assert "exit status" in text


def test_version(symdiff_command: Symdiff) -> None:
    assert ok(symdiff_command("--version")) == f"symdiff {symdiff.__version__}\n"


# --- the README ------------------------------------------------------------------------------


def test_the_readme_shell_examples_show_what_they_print(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    sections = [
        readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
        for title in (
            "Command line",
            "REPL",
        )
    ]
    blocks = [
        block for section in sections for block in re.findall(r"```sh\n(.*?)```", section, re.S)
    ]
    assert len(blocks) >= 3
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SYMDIFF_HISTORY")}
    env.update(
        PATH=f"{Path(installed_script()).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONIOENCODING="utf-8",
        HOME=str(tmp_path),
    )
    for block in blocks:
        lines = block.splitlines()
        script = "\n".join(line[2:] for line in lines if line.startswith("$ "))
        shown = [line for line in lines if not line.startswith("$ ")]
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        assert result.stdout.splitlines() == shown, f"update this example in README.md:\n{block}"
