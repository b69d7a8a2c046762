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
