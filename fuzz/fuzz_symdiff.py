"""An atheris (libFuzzer) target for symdiff's public entry points.

The fuzzer's bytes pick an entry point and a few small values (a point, an order, CLI
options) through ``atheris.FuzzedDataProvider``; the rest of the bytes, decoded as text, is
the formula, the REPL line, the JSON document or the command's arguments. Every call must
answer or raise ``SymdiffError``: any other exception propagates, and atheris reports it
with the input that raised it. A few answers are also checked, where the library promises
them: printed text and JSON read back as the same node.

Run it (see fuzz/README.md)::

    python fuzz/fuzz_symdiff.py -max_total_time=600 -timeout=10 fuzz/corpus
"""

from __future__ import annotations

import contextlib
import io
import math
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import atheris
import numpy as np

with atheris.instrument_imports(include=["symdiff"]):
    import symdiff
    from symdiff.cli.main import run as run_cli
    from symdiff.repl.session import Session

# The test suite's comparison of two entry points' answers (tests/oracles.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from oracles import outcome, same_numbers

# Small enough that one input runs in well under a second: the fuzzer explores breadth, and
# the limits themselves are what keeps larger inputs bounded.
LIMITS = {
    "text_length": 2_000,
    "nesting_depth": 200,
    "derivative_order": 3,
    "derivative_nodes": 5_000,
    "printed_nodes": 20_000,
}

# Values a point takes besides the fuzzer's own floats: the edges of most domains.
EDGE_VALUES = (0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, 1e300, math.inf, -math.inf, math.nan)

NAMES = ("x", "y", "z", "t", "θ", "mode", "e", "pi", "sin", "")

CLI_COMMANDS = (
    "diff",
    "grad",
    "hessian",
    "latex",
    "jacobian",
    "propagate",
    "sensitivity",
    "newton",
    "minimize",
    "explain",
    "graph",
    "check",
)


def _value(data: atheris.FuzzedDataProvider) -> float:
    if data.ConsumeBool():
        return data.PickValueInList(list(EDGE_VALUES))
    return data.ConsumeRegularFloat()


def _point(data: atheris.FuzzedDataProvider, expr: symdiff.Expr) -> dict[str, object]:
    """A value for each variable of ``expr``, sometimes one too many or one missing."""
    point: dict[str, object] = {name: _value(data) for name in expr.variables}
    choice = data.ConsumeIntInRange(0, 7)
    if choice == 0:
        point[data.PickValueInList(list(NAMES))] = _value(data)
    elif choice == 1 and point:
        point.pop(next(iter(point)))
    elif choice == 2 and point:
        point[next(iter(point))] = data.PickValueInList([True, 10**400, "1", None, 1 + 2j])
    return point


def _variable(data: atheris.FuzzedDataProvider, expr: symdiff.Expr) -> str:
    names = [*expr.variables, *NAMES]
    return str(data.PickValueInList(names))


def _show(expr: symdiff.Expr) -> None:
    """Every printer of ``expr``, and the round trips the library promises."""
    repr(expr)
    expr.to_latex()
    expr.to_dot()
    document = expr.to_json()
    if symdiff.from_json(document) is not expr:
        raise AssertionError(f"from_json(to_json(e)) is not e for {expr!r}")
    text = str(expr)
    if symdiff.parse(text) is not expr:
        raise AssertionError(f"parse(str(e)) is not e for {expr!r}: {text!r}")
    expr.to_string(cse=True)


def fuzz_parse(data: atheris.FuzzedDataProvider, text: str) -> None:
    _show(symdiff.parse(text))


def fuzz_differentiate(data: atheris.FuzzedDataProvider, text: str) -> None:
    expr = symdiff.parse(text)
    for _ in range(data.ConsumeIntInRange(1, 3)):
        mode = "forward" if data.ConsumeBool() else "reverse"
        point = _point(data, expr)
        gradient = symdiff.differentiate(expr, point, mode=mode)
        repr(gradient)
        expr.evaluate(point)
        expr.to_dot(point, gradients=data.ConsumeBool())


def fuzz_derivative(data: atheris.FuzzedDataProvider, text: str) -> None:
    expr = symdiff.parse(text)
    order = data.ConsumeIntInRange(0, 3)
    _show(symdiff.derivative(expr, _variable(data, expr), order))


def fuzz_gradient(data: atheris.FuzzedDataProvider, text: str) -> None:
    for partial in symdiff.gradient(text).values():
        _show(partial)


def fuzz_hessian(data: atheris.FuzzedDataProvider, text: str) -> None:
    expr = symdiff.parse(text)
    if data.ConsumeBool():
        for row in symdiff.hessian(expr):
            for entry in row:
                _show(entry)
    else:
        point = {name: _value(data) for name in expr.variables}
        symdiff.hessian(expr, **point)


def fuzz_jacobian(data: atheris.FuzzedDataProvider, text: str) -> None:
    exprs = [symdiff.parse(line) for line in text.split("\n")[:4]]
    if data.ConsumeBool():
        for row in symdiff.jacobian(exprs):
            for entry in row:
                _show(entry)
    else:
        point = {name: _value(data) for expr in exprs for name in expr.variables}
        symdiff.jacobian(exprs, **point)


def fuzz_simplify(data: atheris.FuzzedDataProvider, text: str) -> None:
    _show(symdiff.simplify(text))


def fuzz_from_json(data: atheris.FuzzedDataProvider, text: str) -> None:
    _show(symdiff.from_json(text))


def fuzz_repl(data: atheris.FuzzedDataProvider, text: str) -> None:
    session = Session(unicode=data.ConsumeBool())
    for number, line in enumerate(text.split("\n")[:8], start=1):
        reply = session.run(line, number)
        if reply.quit:
            break
    session.listing()
    session.complete(text[-20:])


def _interpreted(
    expr: symdiff.Expr, names: tuple[str, ...], point: dict[str, float], order: int
) -> object:
    """What ``compile(expr, order=order)`` promises at ``point``, from the other entry points."""
    if order == 0:
        return expr.evaluate(point)
    gradient = symdiff.differentiate(expr, point)
    partials = tuple(gradient[name] for name in names)
    if order == 1:
        return gradient.value, partials
    rows = symdiff.hessian(expr, names, **point) if names else []
    return gradient.value, partials, tuple(tuple(row) for row in rows)


def fuzz_compile(data: atheris.FuzzedDataProvider, text: str) -> None:
    # The compiled program's numbers (or kind of error) are the interpreter's, on the first
    # call and on a later one; arrays answer or raise a SymdiffError, warning only with
    # SymdiffWarning.
    expr = symdiff.parse(text)
    order = data.ConsumeIntInRange(0, 2)
    compiled = symdiff.compile(expr, order=order)
    names = compiled.variables
    values = [_value(data) for _ in names]
    point = dict(zip(names, values, strict=True))
    expected = outcome(lambda: _interpreted(expr, names, point, order))
    for _ in range(2):
        answer = outcome(lambda: compiled(*values))
        if not same_numbers(answer, expected):
            raise AssertionError(
                f"compile({expr!r}, order={order}) at {point}: {answer!r}, not {expected!r}"
            )
    if "errors" not in point:  # by name, the same numbers (errors= is the policy keyword)
        answer = outcome(lambda: compiled(**point))
        if not same_numbers(answer, expected):
            raise AssertionError(f"compile({expr!r})(**{point}): {answer!r}, not {expected!r}")
    if names:
        arrays = [np.array([value, 0.5, -2.0]) for value in values]
        errors = data.PickValueInList(["warn", "raise", "ignore"])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.simplefilter("ignore", symdiff.SymdiffWarning)
            compiled(*arrays, errors=errors)


def fuzz_explain(data: atheris.FuzzedDataProvider, text: str) -> None:
    expr = symdiff.parse(text)
    if data.ConsumeBool():
        explanation = symdiff.explain(expr, _point(data, expr))
    else:
        explanation = symdiff.explain(expr, _variable(data, expr), _point(data, expr))
    repr(explanation)
    explanation.to_text()
    explanation.to_markdown()
    explanation.to_latex()
    explanation.to_dot(gradients=data.ConsumeBool())


def fuzz_tools(data: atheris.FuzzedDataProvider, text: str) -> None:
    expr = symdiff.parse(text)
    point = _point(data, expr)
    tool = data.ConsumeIntInRange(0, 5)
    if tool == 0:
        repr(symdiff.sensitivity(expr, point))
    elif tool == 1:
        inputs = {name: (value, abs(_value(data))) for name, value in point.items()}
        repr(symdiff.propagate(expr, inputs, second_order=data.ConsumeBool()))
    elif tool == 2:
        repr(symdiff.newton(expr, point, max_iterations=20))
    elif tool == 3:
        repr(symdiff.minimize(expr, point, max_iterations=20))
    elif tool == 4:
        repr(symdiff.check(expr, point))
    else:
        direction = {name: _value(data) for name in point}
        repr(symdiff.jvp(expr, direction, point))


def _cli_arguments(data: atheris.FuzzedDataProvider, text: str) -> list[str]:
    """A command line: a command (or none), the text's lines as formulas, and options."""
    argv: list[str] = []
    choice = data.ConsumeIntInRange(0, len(CLI_COMMANDS) + 1)
    if choice < len(CLI_COMMANDS):
        argv.append(CLI_COMMANDS[choice])
    elif choice == len(CLI_COMMANDS):
        argv.append("repl")
    argv.extend(text.split("\n")[:4])
    if data.ConsumeBool():
        argv.append("--json")
    # Options are plain text too: "--at x=1,y=2", "--order 2", "--wrt x" ... or nonsense.
    for _ in range(data.ConsumeIntInRange(0, 2)):
        argv.append(
            data.PickValueInList(["--at", "--order", "--wrt", "--gradients", "--markdown", "-"])
        )
        argv.append(data.ConsumeUnicodeNoSurrogates(data.ConsumeIntInRange(0, 12)))
    # -o would write a file and run Graphviz: not this target's business.
    return [arg for arg in argv if not arg.startswith(("-o", "--output"))]


def fuzz_cli(data: atheris.FuzzedDataProvider, text: str) -> None:
    argv = _cli_arguments(data, text)
    stdin = io.StringIO(data.ConsumeUnicodeNoSurrogates(64))
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        status = run_cli(argv, stdout, stderr, stdin)
    except SystemExit as exit:
        # argparse's --help and --version exit, as they do from a shell; nothing else may.
        if exit.code not in (0, None):
            raise
        return
    if "Traceback" in stderr.getvalue():
        raise AssertionError(f"a traceback on standard error for {argv!r}")
    if not isinstance(status, int):
        raise AssertionError(f"the exit status of {argv!r} is {status!r}")


ENTRY_POINTS: tuple[Callable[[atheris.FuzzedDataProvider, str], None], ...] = (
    fuzz_parse,
    fuzz_differentiate,
    fuzz_derivative,
    fuzz_gradient,
    fuzz_hessian,
    fuzz_jacobian,
    fuzz_simplify,
    fuzz_from_json,
    fuzz_repl,
    fuzz_cli,
    fuzz_compile,
    fuzz_explain,
    fuzz_tools,
)


def test_one_input(raw: bytes) -> None:
    # The input's layout keeps seed files readable ("3x^2*y" is x^2*y for the fourth entry
    # point): the first byte picks the entry point counting from "0", the text follows, and
    # bytes after a NUL, if any, are the choices (point, order, options) the fuzzer learns.
    if not raw:
        return
    entry = ENTRY_POINTS[(raw[0] - ord("0")) % len(ENTRY_POINTS)]
    body, _, choices = raw[1:].partition(b"\0")
    text = body.decode("utf-8", errors="replace")
    data = atheris.FuzzedDataProvider(choices)
    with symdiff.limits(**LIMITS), contextlib.suppress(symdiff.SymdiffError):
        entry(data, text)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
