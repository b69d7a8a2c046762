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
