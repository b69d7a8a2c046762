"""The tools' subcommands, run in-process, and their REPL commands."""

from __future__ import annotations

import io
import json
import math

import pytest

import symdiff
from symdiff.cli.main import EXIT_INPUT, EXIT_OK, EXIT_USAGE, run
from symdiff.repl.session import Session


def call(*argv: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(list(argv), stdout, stderr, io.StringIO())
    return status, stdout.getvalue(), stderr.getvalue()


def test_jacobian_command() -> None:
    status, out, _ = call("jacobian", "x*y", "x+y^2")
    rows = symdiff.jacobian(["x*y", "x+y^2"])
    assert (status, out) == (EXIT_OK, "[" + ", ".join(f"[{a}, {b}]" for a, b in rows) + "]\n")
    status, out, _ = call("jacobian", "x*y", "x+y^2", "--at", "x=2,y=3")
    assert out == f"{symdiff.jacobian(['x*y', 'x+y^2'], x=2, y=3)!r}\n"
    status, out, _ = call("jacobian", "x*y", "x+y^2", "--at", "x=2,y=3", "--json")
    assert json.loads(out)["jacobian"] == symdiff.jacobian(["x*y", "x+y^2"], x=2, y=3)


def test_propagate_command_prints_the_budget() -> None:
    status, out, _ = call("propagate", "m*g*h", "--at", "m=2+-0.1,g=9.81±0.01,h=10+-0.5")
    expected = symdiff.propagate("m*g*h", m=(2, 0.1), g=(9.81, 0.01), h=(10, 0.5))
    assert status == EXIT_OK
    assert out == f"{expected.table(unicode=False)}\n"  # StringIO has no encoding: ASCII
    status, out, _ = call(
        "propagate",
        "m*g*h",
        "--at",
        "m=2+-0.1,g=9.81±0.01,h=10+-0.5",
        "--correlation",
        "m:h=0.5",
        "--second-order",
        "--json",
    )
    document = json.loads(out)
    reference = symdiff.propagate(
        "m*g*h",
        m=(2, 0.1),
        g=(9.81, 0.01),
        h=(10, 0.5),
        correlation={("m", "h"): 0.5},
        second_order=True,
    )
    assert document["uncertainty"] == reference.uncertainty
    assert document["correlated"] is True


def test_sensitivity_command() -> None:
    status, out, _ = call("sensitivity", "P*(1+r)^n", "--at", "P=1000,r=0.05,n=10")
    assert status == EXIT_OK
    expected = symdiff.sensitivity("P*(1+r)^n", P=1000, r=0.05, n=10)
    assert out == f"{expected.table(unicode=False)}\n"
    status, out, _ = call("sensitivity", "x - y", "--at", "x=1,y=1", "--json")
    assert json.loads(out)["inputs"]["x"]["elasticity"] is None


def test_newton_and_minimize_commands() -> None:
    status, out, _ = call("newton", "x^3 - 2*x - 5", "--at", "x=2", "--json")
    assert status == EXIT_OK
    assert math.isclose(json.loads(out)["point"]["x"], 2.0945514815423265, rel_tol=1e-15)
    status, out, _ = call("newton", "x^2 + y^2 - 4", "x*y - 1", "--at", "x=2,y=0.5")
    assert status == EXIT_OK and "converged after" in out
    status, out, _ = call("newton", "x^2 - a", "--at", "x=1,a=2", "--unknowns", "x")
    assert status == EXIT_OK and repr(math.sqrt(2)) in out
    # Too few equations: the message names the command line's option, not the API's keyword.
    status, _, err = call("newton", "x^2 - a", "--at", "x=1,a=2")
    assert status == EXIT_INPUT and "1 equation(s) in 2 unknowns (x, a)" in err
    assert "--unknowns NAME" in err and "variables=" not in err
    status, out, _ = call("minimize", "(1-x)^2 + 100*(y-x^2)^2", "--at", "x=-1.2,y=1")
    assert status == EXIT_OK
    assert out == f"{symdiff.minimize('(1-x)^2 + 100*(y-x^2)^2', x=-1.2, y=1)}\n"


def test_a_solver_that_fails_prints_why_and_exits_2() -> None:
    status, out, err = call("newton", "x^2 + 1", "--at", "x=0")
    assert status == EXIT_INPUT
    assert "did not converge" in out and "derivative is 0" in err
    status, out, err = call("newton", "atan(x)", "--at", "x=2", "--json")
    assert status == EXIT_INPUT
    assert json.loads(out)["value"] is None  # nan is written as null


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["newton", "x^2 - 2"], EXIT_USAGE),  # --at is required
        (["propagate", "m*g", "--at", "m=2+-0.1"], EXIT_INPUT),  # g has no value
        (["propagate", "m", "--at", "m=2+-0.1", "--correlation", "m=1"], EXIT_USAGE),
        (["minimize", "x^2", "--at", "x=1", "--method", "simplex"], EXIT_INPUT),
        (["newton", "x", "--at", "x=1", "--tolerance", "-1"], EXIT_USAGE),
        (["jacobian", "x", "-"], EXIT_USAGE),
    ],
)
def test_bad_uses(argv: list[str], status: int) -> None:
    result, _, err = call(*argv)
    assert result == status
    assert err and "Traceback" not in err


def test_the_commands_are_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, words in [
        (["--help"], ["symdiff jacobian ", "symdiff propagate ", "symdiff newton "]),
        (["propagate", "--help"], ["m=2+-0.1", "--correlation", "--second-order"]),
        (["minimize", "--help"], ["--method", "--unknowns"]),
    ]:
        with pytest.raises(SystemExit) as exit_:
            run(argv, io.StringIO(), io.StringIO(), io.StringIO())
        assert exit_.value.code == EXIT_OK
        shown = capsys.readouterr().out  # argparse writes help to sys.stdout
        for word in words:
            assert word in shown


def test_a_formula_a_line_from_standard_input() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run(
        ["sensitivity", "-", "--at", "x=2", "--json"], stdout, stderr, io.StringIO("x^2\nx^3\n")
    )
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert status == EXIT_OK
    assert [d["inputs"]["x"]["elasticity"] for d in lines] == [2.0, 3.0]


# --- the REPL ------------------------------------------------------------------------------


def repl(*lines: str) -> list[str]:
    session = Session()
    replies = []
    for line in lines:
        reply = session.run(line)
        assert reply.error is None, reply.error
        replies.append(reply.text)
    return replies


def test_repl_tools_use_the_session_values() -> None:
    *_, root = repl("x = 2", ":newton x^3 - 2*x - 5")
    assert root == str(symdiff.newton("x^3 - 2*x - 5", x=2))
    *_, budget = repl("m = 2; f = m*g*h", ":propagate f, m ± 0.1, g = 9.81 ± 0.01, h = 10+-0.5")
    assert budget == str(symdiff.propagate("m*g*h", m=(2, 0.1), g=(9.81, 0.01), h=(10, 0.5)))
    *_, table = repl("y = 3", ":sensitivity x^2*y, x = 2")
    assert table == str(symdiff.sensitivity("x^2*y", x=2, y=3))
    *_, minimum = repl(":minimize (1-x)^2 + 100*(y-x^2)^2, x = -1.2, y = 1")
    assert minimum == str(symdiff.minimize("(1-x)^2 + 100*(y-x^2)^2", x=-1.2, y=1))
    (symbolic, numbers) = repl(":jacobian x*y, x + y^2", "x = 2; y = 3; :jacobian x*y, x + y^2")
    assert symbolic == "[[y, x], [1, 2*y]]"
    assert numbers.endswith(f"= {symdiff.jacobian(['x*y', 'x + y^2'], x=2, y=3)!r}")


def test_repl_solvers_solve_for_the_variables_the_command_gives_values() -> None:
    # The session's other values are parameters held fixed: y = 3 stays 3. They were all
    # unknowns, so "x^2 - y, x = 1" was one equation in two unknowns.
    *_, root = repl("y = 3", ":newton x^2 - y, x = 1")
    assert root == str(symdiff.newton("x^2 - y", {"x": 1, "y": 3}, variables=["x"]))
    assert "x            1.7320508075688774" in root
    *_, minimum = repl("y = 3", ":minimize (x - y)^2 + x^2, x = 5")
    assert minimum == str(symdiff.minimize("(x - y)^2 + x^2", {"x": 5, "y": 3}, variables=["x"]))
    *_, both = repl(":minimize (x - 1)^2 + (y - 2)^2, x = 0, y = 0")
    assert both == str(symdiff.minimize("(x - 1)^2 + (y - 2)^2", x=0, y=0))
    session = Session()
    session.run("y = 3; x = 1")
    error = session.run(":newton x^2 - y").error or ""
    assert "1 equation(s) in 2 unknowns (x, y)" in error and "given values in the command" in error


@pytest.mark.parametrize(
    "line",
    [
        ":newton",
        ":newton x, y = 1 ± 2",
        ":propagate m*g, m ± 0.1",
        ":sensitivity x, y",
        ":newton x = 1, x",
    ],
)
def test_repl_tool_errors(line: str) -> None:
    reply = Session().run(line)
    assert reply.error is not None


def test_repl_help_lists_the_tools() -> None:
    (text,) = repl(":help")
    for name in (":jacobian", ":propagate", ":sensitivity", ":newton", ":minimize"):
        assert name in text
