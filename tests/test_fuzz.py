"""Fuzzing in the normal suite: whatever the input, every public entry point answers or raises
``SymdiffError``, quickly. Arbitrary text (any characters, and text made of the formula
language's own characters and words) goes to the parser, the REPL and the command line;
grammar-shaped random trees (``strategies.expressions``), printed, go to every entry point.

The coverage-guided fuzzer (fuzz/fuzz_symdiff.py) explores further; what it finds is kept
in test_fuzz_findings.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scripts import run_in_process
from strategies import OPERATIONS, examples, expressions, full_trees, points

import symdiff
from symdiff import Expr, SymdiffError
from symdiff.cli.main import COMMANDS
from symdiff.repl.session import COMMANDS as REPL_COMMANDS
from symdiff.repl.session import Session

# A few hundred examples each, and no single input may take long: a hang is a finding too.
FUZZ = settings(
    max_examples=examples(300),
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow],
)

# The characters formulas, REPL lines and points are made of, and the words they use.
GRAMMAR_CHARACTERS = "0123456789.eE+-*/^(),;=:±_ \t\nxyzθ"
WORDS = sorted(
    {op.name for op in OPERATIONS}
    | set(REPL_COMMANDS)
    | {"pi", "e", "inf", "nan", "diff", "grad", "hessian", "d/dx", "**", "+-", "1e308", "5e-324"}
)

grammar_ish_text = st.lists(
    st.one_of(st.text(GRAMMAR_CHARACTERS, min_size=1, max_size=3), st.sampled_from(WORDS)),
    max_size=20,
).map("".join)
any_text = st.one_of(st.text(max_size=60), grammar_ish_text)


def _parsed(text: str) -> Expr | None:
    """The formula, or None when it is rejected with a SymdiffError (anything else fails)."""
    try:
        return symdiff.parse(text)
    except SymdiffError:
        return None


@FUZZ
@given(any_text)
def test_any_text_parses_or_is_a_symdiff_error(text: str) -> None:
    expr = _parsed(text)
    if expr is not None:
        assert symdiff.parse(str(expr)) is expr


@FUZZ
@given(st.lists(any_text, min_size=1, max_size=4))
def test_any_lines_get_a_reply_from_the_repl(lines: list[str]) -> None:
    session = Session()
    for number, line in enumerate(lines, start=1):
        reply = session.run(line, number)
        assert isinstance(reply.text, str)
        assert reply.error is None or isinstance(reply.error, str)


_COMMAND_WORDS = st.sampled_from([[], ["repl"], *([name] for name in COMMANDS)])
_OPTIONS = st.lists(
    st.sampled_from(["--at", "--json", "--order", "--wrt", "-", "--markdown", "--gradients"])
)


@FUZZ
@given(
    _COMMAND_WORDS,
    st.lists(any_text.filter(lambda text: "\0" not in text), min_size=1, max_size=3),
    _OPTIONS,
    st.text(max_size=40),
)
def test_any_command_line_ends_with_a_status_never_a_traceback(
    command: list[str], arguments: list[str], options: list[str], stdin: str
) -> None:
    # Arguments from a shell hold no NUL; the rest goes, options in among the formulas.
    argv = [*command, *arguments[:1], *options, *arguments[1:]]
    result = run_in_process(argv, stdin)
    assert result.returncode in (0, 1, 2), (argv, result.stderr)
    assert "Traceback" not in result.stderr, (argv, result.stderr)


def _answers(call: Callable[[], object]) -> None:
    """Run ``call``: an answer or a SymdiffError passes, any other exception fails."""
    with contextlib.suppress(SymdiffError):
        call()


@pytest.mark.slow
@FUZZ
@given(st.one_of(expressions(max_leaves=10), full_trees(depth=3)), points())
def test_every_entry_point_answers_a_printed_tree(expr: Expr, point: dict[str, float]) -> None:
    text = str(expr)
    assert symdiff.parse(text) is expr
    assert symdiff.from_json(expr.to_json()) is expr
    expr.to_latex()
    expr.to_dot()
    names = expr.variables
    here = {name: point[name] for name in names}
    _answers(lambda: symdiff.differentiate(text, here))
    _answers(lambda: symdiff.differentiate(text, here, mode="forward"))
    _answers(lambda: expr.to_dot(here, gradients=True))
    _answers(lambda: symdiff.check(text, here))
    for name in names[:2]:
        _answers(lambda name=name: str(symdiff.derivative(text, name, 2)))
    _answers(lambda: [str(d) for d in symdiff.gradient(text).values()])
    _answers(lambda: [[str(d) for d in row] for row in symdiff.hessian(text)])
    _answers(lambda: symdiff.hessian(text, **here))
    _answers(lambda: symdiff.jacobian([text, text + "*2"], **here))
    simplified = symdiff.simplify(text)
    assert symdiff.parse(str(simplified)) is simplified
    assert isinstance(Session().run(f"{text}; grad {text}; :latex {text}").text, str)
    at = ",".join(f"{name}={value!r}" for name, value in here.items())
    for argv in (["grad", text], [text, *(["--at", at] if at else [])], ["latex", text]):
        result = run_in_process(argv)
        assert result.returncode in (0, 2) and "Traceback" not in result.stderr, argv
