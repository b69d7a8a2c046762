"""Words typed alone in the REPL that mean something else than a variable get a hint."""

from __future__ import annotations

import pytest

from symdiff.repl.session import Session


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("exit", "to leave, type :quit or press Ctrl-D"),
        ("quit()", "to leave, type :quit or press Ctrl-D"),
        ("grad", "grad needs an expression: grad f"),
        ("hessian", "hessian needs an expression: hessian f"),
        ("d/dx", "d/dx needs an expression after it: d/dx f"),
        ("d^2/dy^2", "d^2/dy^2 needs an expression after it"),
        ("help", "for help, type :help"),
        ("?", "for help, type :help"),
        ("vars", "commands begin with a colon: :vars"),
        ("latex x^2", "commands begin with a colon: :latex x^2"),
        ("explain sin(x*y), x = 2", "commands begin with a colon: :explain sin(x*y), x = 2"),
    ],
)
def test_a_lone_word_gets_a_hint(line: str, hint: str) -> None:
    reply = Session().run(line)
    assert reply.error is not None and hint in reply.error
    assert not reply.quit


def test_a_name_the_session_defines_is_itself() -> None:
    session = Session()
    session.run("exit = 3")
    assert session.run("exit").text == "exit = 3.0"
    assert session.run("q").text == "q"
    session.run("latex = 2")
    assert session.run("latex").text == "latex = 2.0"
    assert session.run("latex*x").text == "latex*x"


def test_a_command_word_in_a_formula_is_a_name() -> None:
    # Only a command word first and followed by more than a formula would allow is a hint:
    # "vars + 1", "graph(x)" (a function call, whose error names it) stay formulas.
    session = Session()
    assert session.run("vars + 1").text == "vars + 1"
    assert "unknown function graph" in (session.run("graph(x)").error or "")
    assert session.run("plot = 3").error is None
    assert "implicit multiplication" in (session.run("plot x").error or "")


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("latex(x^2)", ":latex x^2"),
        ("graph(x*y)", ":graph x*y"),
        ("vars()", ":vars"),
        ("newton(x^2 - 2, x = 1)", ":newton x^2 - 2, x = 1"),
        ("jacobian (x*y, x + y^2) ", ":jacobian x*y, x + y^2"),
        ("f = latex(x)", ":latex x"),
    ],
)
def test_a_command_called_as_a_function_is_shown_as_the_command(line: str, command: str) -> None:
    # The parser's error stands (its caret, "unknown function" or the left side of =),
    # and its hint is the command that was meant, which then works.
    session = Session()
    reply = session.run(line)
    assert reply.error is not None
    word = command.split()[0][1:]
    assert reply.error.endswith(f"{word} is a command, not a function: {command}")
    assert session.run(command).error is None


def test_a_command_call_inside_a_formula_names_the_command_only() -> None:
    error = Session().run("latex(f) + g(x)").error or ""
    assert "unknown function latex" in error
    assert error.endswith("latex is a command, not a function: :latex ...")
    # A function the session defines under a command's name is a function.
    session = Session()
    session.run("plot(t) = t^2")
    assert session.run("plot(3)").text == "3^2 = 9.0"
