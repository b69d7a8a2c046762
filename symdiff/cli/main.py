"""The ``symdiff`` command.

``symdiff EXPR --at x=2,y=3`` prints the parsed expression, its value and every partial
derivative; ``--json`` prints the same as one JSON object. The subcommands ``diff``,
``grad``, ``hessian`` and ``latex`` print one line (or one JSON object) per formula, and
read one formula a line from standard input when the formula is ``-``. ``symdiff`` alone,
or ``symdiff repl``, starts the interactive session (``repl.py``).

Exit status: 0 when all went well, 1 for a usage error (bad options), 2 for bad input (a
formula or value symdiff cannot use, on any line); errors go to stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shlex
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from ..api import check, count_nodes, derivative, differentiate, explain, gradient, hessian
from ..deferred import Deferred
from ..errors import ParseError, SymdiffError, ValuesError
from ..ir.nodes import Expr, is_variable
from ..limits import current as current_limits
from ..syntax.parser import parse
from ..syntax.printer import printed_size
from ..version import __version__

if TYPE_CHECKING:
    import difflib
    import json

    from .. import tools
    from ..repl import terminal
    from ..syntax import dot
    from ..tools import plot as plotting
    from ..tools.solvers import Solution
else:  # loaded by the commands that use them (symdiff/deferred.py)
    difflib = Deferred("difflib")
    json = Deferred("json")
    tools = Deferred("symdiff.tools")
    terminal = Deferred("symdiff.repl.terminal")
    dot = Deferred("symdiff.syntax.dot")
    plotting = Deferred("symdiff.tools.plot")

EXIT_OK, EXIT_USAGE, EXIT_INPUT = 0, 1, 2

_DESCRIPTION = """\
Differentiate a formula: print its value and every partial derivative at a point,
computed by one reverse-mode (backpropagation) sweep over the expression graph."""

_SYNTAX = """\
syntax: + - * / and ^ (or **) for power; write products explicitly (2*x, not 2x);
constants pi and e; functions such as sin, log, sqrt, atan2(y, x), log(x, base)."""

_EXIT_STATUS = """\
exit status: 0 success, 1 usage error (bad options), 2 bad input (a formula or value
that cannot be used, on any line); errors go to stderr."""

_EXAMPLES = f"""\
commands:
  symdiff EXPR --at ...             value and every partial derivative at a point
  symdiff diff EXPR VAR [--order N] a derivative, as a formula
  symdiff grad EXPR [--at ...]      every partial derivative
  symdiff hessian EXPR [--at ...]   every second derivative
  symdiff latex EXPR                the formula in LaTeX
  symdiff jacobian EXPR EXPR ... [--at ...]   the Jacobian of several formulas
  symdiff propagate EXPR --at m=2+-0.1,...    uncertainty propagation (GUM), a budget
  symdiff sensitivity EXPR --at ...           sensitivities and elasticities, ranked
  symdiff newton EXPR ... --at x=2            a root by Newton's method
  symdiff minimize EXPR --at x=-1.2,y=1       a local minimum
  symdiff explain EXPR --at ...     the derivative worked step by step (or --wrt x)
  symdiff graph EXPR [--at ...]     the expression graph, as DOT or drawn (-o g.svg)
  symdiff check EXPR --at ...       reverse, forward, symbolic, finite differences compared
  symdiff plot EXPR -o plot.png     the function and its derivative on one figure
  symdiff, or symdiff repl          an interactive session
'symdiff COMMAND --help' tells more; with EXPR '-', a command reads one formula a line
from standard input and writes one result a line.

examples:
  symdiff 'sin(x*y) + cos(x*y)' --at x=2,y=3
  symdiff 'exp(-(x-mu)^2/(2*s^2))' --at x=0.5,mu=0,s=1.3 --json
  symdiff 'sin(theta)^2' --at theta=pi/4

{_SYNTAX}

{_EXIT_STATUS}"""


class UsageError(Exception):
    """Bad options or arguments: exit status 1."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: Any) -> None:
        # No abbreviated options: "--v" is the formula -(-v), not --version.
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _command_list(width: int = 64) -> str:
    """``{diff,grad,...}``: every command of the table, and repl, wrapped after a comma
    under the usage line."""
    lines = [""]
    for name in [*COMMANDS, "repl"]:
        word = f"{name}," if name != "repl" else "repl}"
        if lines[-1] and len(lines[-1]) + len(word) > width:
            lines.append("")
        lines[-1] += word
    return "{" + "\n         ".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symdiff",
        usage="%(prog)s EXPR [--at NAME=VALUE,...] [--json]\n"
        f"       %(prog)s {_command_list()} ...\n"
        "       %(prog)s",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", help="the formula, e.g. 'sin(x*y) + cos(x*y)'")
    _add_point_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--version", action="version", version=f"symdiff {__version__}")
    return parser


def _add_point_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="NAME=VALUE,...",
        help="the point: values for the variables, e.g. x=2,y=3 (values may be "
        "constant formulas such as pi/4; the option may be repeated)",
    )


def parse_point(specs: Sequence[str]) -> dict[str, float]:
    """``["x=2,y=pi/4"]`` -> ``{"x": 2.0, "y": 0.785...}``; values are constant formulas."""
    point: dict[str, float] = {}
    for spec in specs:
        for item in _split_top_level(spec):
            name, sep, text = item.partition("=")
            name = name.strip()
            if not sep or not name or not text.strip():
                raise UsageError(f"--at takes NAME=VALUE pairs separated by commas, not {item!r}")
            if name in point:
                raise UsageError(f"--at gives {name} twice")
            try:
                value = parse(text.strip())
                if value.variables:
                    raise SymdiffError(
                        f"the value of {name} must be a finite number or a constant formula, "
                        f"not {text.strip()!r}"
                    )
                point[name] = value.evaluate()
            except ParseError as exc:
                raise SymdiffError(f"in the value of {name}: {exc}") from None
    return point


def _split_top_level(spec: str) -> list[str]:
    """Split at commas outside parentheses: ``x=atan2(1, 2),y=3`` is two items."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(spec):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(spec[start:i])
            start = i + 1
    items.append(spec[start:])
    return [item for item in items if item.strip()]


def _partial_label(name: str, stream: TextIO) -> str:
    label = f"∂/∂{name}"
    try:
        label.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return f"d/d{name}"
    return label


def _options(parser: argparse.ArgumentParser) -> list[str]:
    # argparse keeps its option strings in a private list; it is the one source of them.
    return [name for action in parser._actions for name in action.option_strings]


def _protect_formulas(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """Let ``symdiff '-x^2'`` and ``symdiff '--x'`` work: argparse would take them for options.

    A word starting with ``-`` that is not one of the parser's options (nor ``-`` for
    standard input, nor ``--``) is a formula; a leading space, which the grammar skips,
    stops argparse from reading it as an option.
    """
    options = set(_options(parser))
    return [
        f" {arg}"
        if arg.startswith("-") and arg not in ("-", "--") and arg.split("=")[0] not in options
        else arg
        for arg in argv
    ]


def run(argv: Sequence[str], stdout: TextIO, stderr: TextIO, stdin: TextIO | None = None) -> int:
    """The command with arguments ``argv``; the exit status."""
    stdin = sys.stdin if stdin is None else stdin
    if not argv or argv[0] == "repl":
        return _run_repl(argv[1:], stdin, stdout, stderr)
    if argv[0] in COMMANDS:
        return _run_command(COMMANDS[argv[0]], argv[1:], stdin, stdout, stderr)
    return _run_value(argv, stdin, stdout, stderr)


def _mistyped_option(argv: Sequence[str], parser: argparse.ArgumentParser, error: str) -> str:
    """The usage error, told as a mistyped option when it looks like one: a word such as
    ``--jsn`` or ``--a`` is read as a formula (``_protect_formulas``), so argparse could
    only complain about the word left over (``unrecognized arguments: x*y``)."""
    if "unrecognized arguments: " not in error:
        return error
    options = _options(parser)
    for word in argv:
        name = word.split("=")[0]
        if not name.startswith("--") or name == "--" or name in options:
            continue
        starting = [option for option in options if option.startswith(name)]
        close = starting or difflib.get_close_matches(name, options, n=1, cutoff=0.6)
        if close:
            return (
                f"{name} is not an option; did you mean {close[0]}? (a formula that starts"
                " with - is written with a space before it, ' --x')"
            )
    # The extras as typed: a formula protected from argparse has a space before it.
    head, _, extra = error.partition("unrecognized arguments: ")
    words = extra.split()
    if "--at" in options and words and all(_is_setting(word) for word in words):
        # symdiff 'x*y' x=2 y=3: the point without its option
        return (
            f"unrecognized arguments: {' '.join(words)}; values are given after --at:"
            f" --at {','.join(words)}"
        )
    return head + "unrecognized arguments: " + " ".join(words)


def _is_setting(word: str) -> bool:
    """Whether ``word`` reads as one value for a variable, ``x=2``."""
    name, equals, value = word.partition("=")
    return bool(equals and value) and name.isidentifier()


def _not_a_command(argv: Sequence[str], error: str) -> str:
    """The usage error, told as a mistyped command when it looks like one: a plain word
    first (``symdiff jacobain 'x*y'``) that argparse could only complain about."""
    word = argv[0] if argv else ""
    _, marker, extra = error.partition("unrecognized arguments: ")
    positional = any(not item.lstrip().startswith("-") for item in extra.split())
    if not (word.isascii() and word.isalpha() and marker and positional):
        return error
    close = difflib.get_close_matches(word, [*COMMANDS, "repl"], n=1)
    hint = f"did you mean {close[0]}?" if close else f"the commands are {', '.join(COMMANDS)}"
    return f"{word!r} is not a command; {hint}"


def _run_value(argv: Sequence[str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``symdiff EXPR --at ...``: the value and every partial derivative at a point."""
    try:
        parser = build_parser()
        args = parser.parse_args(_protect_formulas(argv, parser))
    except UsageError as exc:
        parser = build_parser()
        parser.print_usage(stderr)
        message = _mistyped_option(argv, parser, _not_a_command(argv, str(exc)))
        print(f"symdiff: error: {message}", file=stderr)
        return EXIT_USAGE
    try:
        point = parse_point(args.at)
        if args.expression == "-":
            return _answer_lines(
                "", lambda text: _value_line(parse(text), point, stdout), args.json,
                stdin, stdout, stderr,
            )  # fmt: skip
        expr = parse(args.expression)
        result = differentiate(expr, point)
    except UsageError as exc:
        print(f"symdiff: error: {exc}", file=stderr)
        return EXIT_USAGE
    except SymdiffError as exc:
        hint = ""
        if not args.at and isinstance(exc, ValuesError):
            # No --at at all, so a value is missing: perhaps formulas were wanted.
            hint = (
                "\ngive values with --at NAME=VALUE,..., or see the derivatives as formulas: "
                f"symdiff grad {shlex.quote(args.expression)}"
            )
        print(f"symdiff: error: {exc}{hint}", file=stderr)
        return EXIT_INPUT
    if args.json:
        print(_json(_value_document(expr, point, result)), file=stdout)
        return EXIT_OK
    rows = [("expression", str(expr))]
    if point:
        rows.append(("at", ", ".join(f"{k} = {v!r}" for k, v in point.items())))
    rows.append(("value", repr(result.value)))
    rows.extend((_partial_label(name, stdout), repr(d)) for name, d in result.items())
    width = max(len(label) for label, _ in rows)
    for label, text in rows:
        print(f"{label:<{width}}  {text}", file=stdout)
    return EXIT_OK


def _value_document(expr: Expr, point: dict[str, float], result: Any) -> dict[str, Any]:
    return {
        "expression": str(expr),
        "variables": list(expr.variables),
        "point": point,
        "value": result.value,
        "gradient": dict(result),
    }


def _value_line(expr: Expr, point: dict[str, float], stdout: TextIO) -> tuple[str, dict[str, Any]]:
    """One formula of ``symdiff - --at ...``: its value and partials on one line."""
    result = differentiate(expr, point)
    parts = [f"value = {result.value!r}"]
    parts.extend(f"{_partial_label(name, stdout)} = {d!r}" for name, d in result.items())
    return "; ".join(parts), _value_document(expr, point, result)


# --- subcommands: one result a formula ----------------------------------------------


@dataclass(frozen=True)
class Request:
    """What a subcommand was asked: its options, the point (if --at), how to label ∂/∂x.

    For ``propagate`` the point holds measurements: ``measurements`` maps each name to
    ``(value, standard uncertainty)``.
    """

    args: argparse.Namespace
    point: dict[str, float] | None
    partial_label: Callable[[str], str]
    measurements: dict[str, tuple[float, float]] | None = None
    unicode: bool = True


class NotConverged(SymdiffError):
    """A solver stopped without converging: its result is still printed (exit status 2)."""

    def __init__(self, line: str, document: dict[str, Any], reason: str) -> None:
        self.line = line
        self.document = document
        super().__init__(f"did not converge: {reason}")


Compute = Callable[[list[Expr], Request], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Command:
    """A subcommand: what it computes for its formulas, as (text, JSON object).

    Most take one formula (``compute`` gets a list of one); those with ``many`` take
    several as one problem (the rows of a Jacobian, a system of equations).
    """

    name: str
    summary: str
    examples: str
    compute: Compute
    takes_point: bool = True
    needs_point: bool = False
    many: bool = False
    measurements: bool = False
    # Options of this command alone, added to its parser.
    options: Callable[[argparse.ArgumentParser], None] | None = None


# A result that would print as more nodes than this (a derivative shares much of its
# graph, and printing writes a shared node at every use) is refused, not printed.
PRINT_LIMIT = 1_000_000


def _text(expr: Expr) -> str:
    if printed_size(expr, PRINT_LIMIT) > PRINT_LIMIT:
        raise SymdiffError(
            f"the result has {count_nodes(expr)} distinct nodes but would print as more than "
            f"{PRINT_LIMIT:,}; try --at for its value, or the library's to_string(cse=True)"
        )
    return str(expr)


def _diff(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    point = request.point
    args = request.args
    result = derivative(expr, args.variable, args.order)
    document: dict[str, Any] = {
        "expression": str(expr),
        "variable": args.variable,
        "order": args.order,
    }
    if point is None:
        document["derivative"] = _text(result)
        return document["derivative"], document
    # The value a partial has (grad --at gives the same number): none where the function
    # is undefined, though the derivative's formula may have one (1/x for log(x) at -1).
    value = tools.derivative_at(expr, args.variable, args.order, point)
    document |= {"point": point, "value": value}
    return repr(value), document


def _grad(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    point = request.point
    label = request.partial_label
    document: dict[str, Any]
    if point is None:
        partials = gradient(expr)
        document = {
            "expression": str(expr),
            "variables": list(partials),
            "gradient": {name: _text(d) for name, d in partials.items()},
        }
        line = "; ".join(f"{label(name)} = {document['gradient'][name]}" for name in partials)
        return line or "(no variables)", document
    numbers = differentiate(expr, point)
    document = {
        "expression": str(expr),
        "variables": list(expr.variables),
        "point": point,
        "value": numbers.value,
        "gradient": dict(numbers),
    }
    line = "; ".join(f"{label(name)} = {d!r}" for name, d in numbers.items())
    return line or "(no variables)", document


def _hessian(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    point = request.point
    names = list(expr.variables)
    document: dict[str, Any] = {"expression": str(expr), "variables": names}
    if point is None:
        document["hessian"] = [[_text(entry) for entry in row] for row in hessian(expr, names)]
        line = "[" + ", ".join("[" + ", ".join(row) + "]" for row in document["hessian"]) + "]"
        return line, document
    # The numbers symdiff.hessian gives at a point: a reverse sweep over each partial
    # (evaluating the symbolic entries rounded differently in the last bits, and reported
    # another entry's domain error).
    numbers = tools.Derivatives(expr, names).hessian(point)
    document |= {"point": point, "hessian": numbers}
    return repr(numbers), document


def _latex(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    latex = expr.to_latex()
    return latex, {"expression": str(expr), "latex": latex}


def _matrix_line(rows: list[list[str]]) -> str:
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in rows) + "]"


def _jacobian(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    point = request.point
    names = list(dict.fromkeys(name for e in exprs for name in e.variables))
    document: dict[str, Any] = {"expressions": [str(e) for e in exprs], "variables": names}
    if point is None:
        document["jacobian"] = [
            [_text(entry) for entry in row] for row in tools.jacobian(exprs, names)
        ]
        return _matrix_line(document["jacobian"]), document
    # One reverse sweep a row, as symdiff.jacobian does with values; called directly because
    # an empty --at ('') is a point too, where jacobian() without values gives formulas.
    numbers = [[differentiate(e, point).get(name, 0.0) for name in names] for e in exprs]
    document |= {"point": point, "jacobian": numbers}
    return repr(numbers), document


def _propagate(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    assert request.measurements is not None
    correlation = {pair: r for pairs in request.args.correlation for pair, r in pairs.items()}
    result = tools.propagate(
        expr,
        request.measurements,
        correlation=correlation or None,
        second_order=request.args.second_order,
    )
    return result.table(unicode=request.unicode), result.to_dict()


def _correlations(spec: str) -> dict[tuple[str, str], float]:
    """``"m:h=0.5,g:h=-0.1"`` -> ``{("m", "h"): 0.5, ("g", "h"): -0.1}``."""
    pairs: dict[tuple[str, str], float] = {}
    for item in _split_top_level(spec):
        names, sep, text = item.partition("=")
        a, colon, b = names.partition(":")
        if not (sep and colon and a.strip() and b.strip() and text.strip()):
            raise argparse.ArgumentTypeError(f"NAME:NAME=R pairs are expected, not {item!r}")
        try:
            value, uncertainty = tools.read_measurement(text.strip())
        except SymdiffError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if uncertainty:
            raise argparse.ArgumentTypeError(f"a correlation is a number, not {text.strip()!r}")
        pairs[(a.strip(), b.strip())] = value
    return pairs


def _sensitivity(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    assert request.point is not None
    result = tools.sensitivity(expr, request.point)
    document = {**result.to_dict(), "point": request.point}
    return result.table(unicode=request.unicode), document


def _solved(result: Solution, document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    document |= result.to_dict()
    if not result.converged:
        raise NotConverged(result.table(), document, result.reason)
    return result.table(), document


def _newton(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    assert request.point is not None
    args = request.args
    equations: Expr | list[Expr] = exprs[0] if len(exprs) == 1 else exprs
    try:
        result = tools.newton(
            equations,
            request.point,
            variables=args.unknowns,
            tolerance=args.tolerance,
            max_iterations=args.max_iterations,
        )
    except tools.NotSquare as exc:  # said in the command line's terms
        raise exc.told(
            "give as many equations as unknowns, or name the unknowns with --unknowns"
            " NAME,... (the others keep their --at values)"
        ) from None
    return _solved(result, {"expressions": [str(e) for e in exprs]})


def _minimize(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    assert request.point is not None
    args = request.args
    result = tools.minimize(
        expr,
        request.point,
        variables=args.unknowns,
        method=args.method,
        tolerance=args.tolerance,
        max_iterations=args.max_iterations,
    )
    return _solved(result, {"expression": str(expr)})


def _propagate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--correlation",
        action="append",
        type=_correlations,
        default=[],
        metavar="NAME:NAME=R,...",
        help="correlation coefficients of pairs of inputs, e.g. m:h=0.5",
    )
    parser.add_argument(
        "--second-order",
        action="store_true",
        help="add the second-order terms (GUM 5.1.2) to the variance",
    )


def _solver_options(
    default_tolerance: float, default_iterations: int
) -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--tolerance",
            type=_tolerance,
            default=default_tolerance,
            metavar="T",
            help=f"when to stop (default {default_tolerance:g})",
        )
        parser.add_argument(
            "--max-iterations",
            type=_order,
            default=default_iterations,
            metavar="N",
            help=f"give up after N iterations (default {default_iterations})",
        )
        parser.add_argument(
            "--unknowns",
            type=_names_list,
            default=None,
            metavar="NAME,...",
            help="the variables to solve for (default: all); the others keep their --at values",
        )

    return add


def _minimize_options(parser: argparse.ArgumentParser) -> None:
    _solver_options(1e-10, 200)(parser)
    parser.add_argument(
        "--method",
        default="newton",
        metavar="NAME",
        help="newton (default), or a method of scipy.optimize.minimize such as trust-exact "
        "or BFGS, given the exact gradient (and Hessian)",
    )


def _names_list(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"the tolerance is a number >= 0, not {text.strip()!r}")
    return value


# --- explain, graph, check: seeing the derivative -------------------------------------


def _explain_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wrt", metavar="VAR", help="explain the derivative with respect to VAR only"
    )
    parser.add_argument(
        "--mode",
        choices=("reverse", "forward"),
        default="reverse",
        help="the sweep to show: reverse (adjoints, the default) or forward (tangents)",
    )
    style = parser.add_mutually_exclusive_group()
    style.add_argument("--markdown", action="store_true", help="print Markdown")
    style.add_argument("--latex", action="store_true", help="print a LaTeX align* block")


def _explain(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    args, point = request.args, request.point
    if args.wrt is not None:
        _check_variable(args.wrt)
    if point is None:
        if args.wrt is None:
            raise SymdiffError("explain needs a point (--at x=2) or a variable (--wrt x)")
        explanation = explain(expr, args.wrt, mode=args.mode)
    else:
        explanation = explain(expr, args.wrt, point, mode=args.mode)
    if args.markdown:
        text = explanation.to_markdown()
    elif args.latex:
        text = explanation.to_latex()
    else:
        text = explanation.to_text()
    document: dict[str, Any] = {"expression": str(expr), "explanation": text}
    if point is None:
        document["derivative"] = {n: str(d) for n, d in explanation.partials.items()}
    else:
        document |= {"point": point, "value": explanation.value}
        document["gradient"] = dict(explanation.partials)
    return text, document


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lstrip(".").lower()


def _graph_file(text: str) -> str:
    if _suffix(text) not in dot.FORMATS:
        raise argparse.ArgumentTypeError(
            f"the picture is a {', '.join('.' + f for f in dot.FORMATS)} file, not {text!r}"
        )
    return text


def _graph_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gradients", action="store_true", help="label each node with its adjoint too (needs --at)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=_graph_file,
        metavar="FILE",
        help="draw the graph into FILE (.svg, .png or .pdf) with Graphviz's dot",
    )


def _graph(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    args, point = request.args, request.point
    if args.gradients and point is None:
        raise SymdiffError("--gradients needs a point: --at x=2")
    source = expr.to_dot(point, gradients=args.gradients)
    document: dict[str, Any] = {"expression": str(expr), "dot": source}
    if args.output is None:
        return source.rstrip("\n"), document
    picture = dot.render(source, _suffix(args.output))
    try:
        with open(args.output, "wb") as file:
            file.write(picture)
    except OSError as exc:
        raise SymdiffError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    document["output"] = args.output
    return f"wrote {args.output}", document


def _plot_file(text: str) -> str:
    if _suffix(text) not in plotting.FORMATS:
        raise argparse.ArgumentTypeError(
            f"the plot is a {', '.join('.' + f for f in plotting.FORMATS)} file, not {text!r}"
        )
    return text


def _range(text: str) -> tuple[float, float]:
    try:
        return plotting.parse_range(text)
    except SymdiffError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _plot_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wrt", metavar="VAR", help="the variable along the axis (needed with several)"
    )
    parser.add_argument(
        "--range",
        type=_range,
        default=(-3.0, 3.0),
        metavar="LOW:HIGH",
        help="the interval of VAR (default -3:3)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=_plot_file,
        required=True,
        metavar="FILE",
        help="the picture to write: .png, .svg or .pdf (needs matplotlib)",
    )


def _plot(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    args = request.args
    if args.wrt is not None:
        _check_variable(args.wrt)
    plotting.plot(expr, args.wrt, args.range, request.point, path=args.output)
    document = {"expression": str(expr), "output": args.output}
    return f"wrote {args.output}", document


def _check(exprs: list[Expr], request: Request) -> tuple[str, dict[str, Any]]:
    (expr,) = exprs
    if request.point is None:
        raise SymdiffError("check needs a point: --at x=2")
    report = check(expr, request.point)
    rows = {
        name: {
            "reverse": row.reverse,
            "forward": row.forward,
            "symbolic": row.symbolic,
            "finite_difference": row.finite_difference,
            "step": row.step,
            "agree": row.agree,
            "notes": list(row.notes),
        }
        for name, row in report.rows.items()
    }
    document = {
        "expression": str(expr),
        "point": request.point,
        "value": report.value,
        "ok": report.ok,
        "variables": rows,
    }
    return str(report), document


COMMANDS = {
    command.name: command
    for command in [
        Command(
            "diff",
            "The derivative of a formula with respect to one variable, as a formula (or, "
            "with --at, its value at a point, as grad --at computes it: none where the "
            "formula itself has no value).",
            "  symdiff diff 'sin(x*y)' x            # y*cos(x*y)\n"
            "  symdiff diff 'x^5' x --order 3       # 60*x^2\n"
            "  symdiff diff 'x^3' x --at x=2        # 12.0\n"
            "  printf 'x^2\\nsin(x)\\n' | symdiff diff - x",
            _diff,
        ),
        Command(
            "grad",
            "Every partial derivative of a formula, as formulas (or as numbers at a point, "
            "with --at), on one line.",
            "  symdiff grad 'x^2*y'                 # ∂/∂x = 2*x*y; ∂/∂y = x^2\n"
            "  symdiff grad 'x^2*y' --at x=3,y=2    # ∂/∂x = 12.0; ∂/∂y = 9.0\n"
            "  symdiff grad 'x^2*y' --at x=3,y=2 --json\n"
            "  printf 'x^2\\nsin(x)\\n' | symdiff grad --at x=1 -",
            _grad,
        ),
        Command(
            "hessian",
            "The matrix of second derivatives of a formula, rows in the order the variables "
            "first appear (numbers at a point, with --at).",
            "  symdiff hessian 'x^2*y'              # [[2*y, 2*x], [2*x, 0]]\n"
            "  symdiff hessian 'x^2*y' --at x=1,y=2 --json",
            _hessian,
        ),
        Command(
            "latex",
            "The formula in LaTeX.",
            "  symdiff latex 'sqrt(x)/(1 + x^2)'     # \\frac{\\sqrt{x}}{1 + x^{2}}\n"
            "  symdiff latex 'sin(theta)^2' --json",
            _latex,
            takes_point=False,
        ),
        Command(
            "jacobian",
            "The Jacobian of several formulas: one row a formula, one column a variable, "
            "in the order the variables first appear (numbers at a point, with --at).",
            "  symdiff jacobian 'x*y' 'x+y^2'             # [[y, x], [1, 2*y]]\n"
            "  symdiff jacobian 'x*y' 'x+y^2' --at x=2,y=3 # [[3.0, 2.0], [1.0, 6.0]]",
            _jacobian,
            many=True,
        ),
        Command(
            "propagate",
            "The value of a formula and its combined standard uncertainty, propagated to "
            "first order as in the GUM, with the uncertainty budget: each input's "
            "sensitivity coefficient, contribution and share of the variance. Inputs are "
            "NAME=VALUE+-UNCERTAINTY (or ±); NAME=VALUE is known exactly.",
            "  symdiff propagate 'm*g*h' --at m=2+-0.1,g=9.81+-0.01,h=10+-0.5\n"
            "  symdiff propagate '4*pi^2*L/T^2' --at L=1±0.001,T=2.006±0.005 --json\n"
            "  symdiff propagate 'x*y' --at x=1+-0.1,y=2+-0.2 --correlation x:y=0.5",
            _propagate,
            needs_point=True,
            measurements=True,
            options=_propagate_options,
        ),
        Command(
            "sensitivity",
            "How much each input moves a formula at a point: the partial derivative and the "
            "elasticity (df/dx * x/f, the % change of f for a 1% change of x), ranked.",
            "  symdiff sensitivity 'P*(1+r)^n' --at P=1000,r=0.05,n=10",
            _sensitivity,
            needs_point=True,
        ),
        Command(
            "newton",
            "A root of a formula (or of a system: several formulas, each = 0) by Newton's "
            "method with the exact derivative (Jacobian), from the starting point --at. "
            "Exit status 2 if it does not converge, with the reason.",
            "  symdiff newton 'x^3 - 2*x - 5' --at x=2\n"
            "  symdiff newton 'x^2 + y^2 - 4' 'x*y - 1' --at x=2,y=0.5 --json",
            _newton,
            needs_point=True,
            many=True,
            options=_solver_options(1e-12, 100),
        ),
        Command(
            "minimize",
            "A local minimum of a formula from the starting point --at, by Newton's method "
            "with the exact gradient and Hessian and a line search (or a SciPy method). "
            "Exit status 2 if it does not converge, with the reason.",
            "  symdiff minimize '(1-x)^2 + 100*(y-x^2)^2' --at x=-1.2,y=1\n"
            "  symdiff minimize '(1-x)^2 + 100*(y-x^2)^2' --at x=-1.2,y=1 --method trust-exact",
            _minimize,
            needs_point=True,
            options=_minimize_options,
        ),
        Command(
            "explain",
            "The derivative worked step by step, as the reverse sweep computes it: each "
            "node named with its value, then each adjoint from the output back, with the local "
            "rule of every step and the sum where paths meet. Without --at, the steps of "
            "the symbolic derivative with respect to --wrt.",
            "  symdiff explain 'sin(x*y) + cos(x*y)' --at x=2,y=3\n"
            "  symdiff explain 'sin(log(x))' --wrt x\n"
            "  symdiff explain 'sin(x*y) + cos(x*y)' --at x=2,y=3 --mode forward\n"
            "  symdiff explain 'x^2*y' --at x=1,y=2 --markdown",
            _explain,
            options=_explain_options,
        ),
        Command(
            "graph",
            "The expression graph in Graphviz DOT (each shared node once, data flowing left "
            "to right); with --at, each node's value, with --gradients its adjoint; with -o, "
            "drawn by Graphviz into an SVG, PNG or PDF file.",
            "  symdiff graph 'sin(x*y) + cos(x*y)'\n"
            "  symdiff graph 'sin(x*y) + cos(x*y)' --at x=2,y=3 --gradients -o graph.svg",
            _graph,
            options=_graph_options,
        ),
        Command(
            "check",
            "The derivative at a point four ways (reverse mode, forward mode, the symbolic "
            "derivative evaluated, central finite differences) side by side, flagging kinks, "
            "domain edges and cancellation.",
            "  symdiff check 'sin(x*y) + cos(x*y)' --at x=2,y=3\n  symdiff check 'abs(x)' --at x=0",
            _check,
        ),
        Command(
            "plot",
            "The function and its derivative on one figure, the picture a student sketches "
            "beside the formula, written to a PNG, SVG or PDF file (needs matplotlib: pip "
            "install 'symdiff[plot]'). Points where the function is undefined are gaps; "
            "--at gives values to the other variables.",
            "  symdiff plot 'x*sin(x)' -o plot.png\n"
            "  symdiff plot 'log(x)*y' --wrt x --range 0.1:4 --at y=2 -o plot.svg",
            _plot,
            options=_plot_options,
        ),
    ]
}


def command_parser(command: Command) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"symdiff {command.name}",
        description=textwrap.fill(command.summary, width=88),
        epilog=f"examples:\n{command.examples}\n\n{_SYNTAX}\n\n{_EXIT_STATUS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "expression",
        metavar="EXPR",
        nargs="+" if command.many else None,
        help="the formula, or - to read one formula a line from standard input "
        "(one result a line out; blank lines are skipped)",
    )
    if command.name == "diff":
        parser.add_argument("variable", metavar="VAR", help="the variable, e.g. x")
        parser.add_argument(
            "--order", type=_order, default=1, metavar="N", help="how many times (default 1)"
        )
    if command.measurements:
        parser.add_argument(
            "--at",
            action="append",
            default=[],
            metavar="NAME=VALUE+-UNC,...",
            help="the inputs: estimates and standard uncertainties, e.g. m=2+-0.1,g=9.81±0.01 "
            "(a value without +- is exact; the option may be repeated)",
        )
    elif command.takes_point:
        _add_point_option(parser)
    if command.options is not None:
        command.options(parser)
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object a formula (a JSON line)"
    )
    return parser


def _order(text: str) -> int:
    # int() also reads other scripts' digits ("٣"); a count on the command line is ASCII.
    digits = text.strip()
    order = int(digits) if digits.isascii() and digits.isdigit() else -1
    if order < 0:
        raise argparse.ArgumentTypeError(f"the order is a whole number >= 0, not {text.strip()!r}")
    return order


def _run_command(
    command: Command, argv: Sequence[str], stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    parser = command_parser(command)
    try:
        args = parser.parse_args(_protect_formulas(argv, parser))
    except UsageError as exc:
        parser.print_usage(stderr)
        print(
            f"symdiff {command.name}: error: {_mistyped_option(argv, parser, str(exc))}",
            file=stderr,
        )
        return EXIT_USAGE
    expressions = args.expression if command.many else [args.expression]
    try:
        if command.needs_point and not args.at:
            raise UsageError(f"--at is required: {command.name} works at a point")
        if "-" in expressions and len(expressions) > 1:
            raise UsageError("- (formulas from standard input) cannot be mixed with formulas")
        measurements = parse_measurements(args.at) if command.measurements else None
        point = (
            parse_point(args.at)
            if command.takes_point and args.at and not command.measurements
            else None
        )
        if command.name == "diff":
            _check_variable(args.variable)
    except UsageError as exc:
        print(f"symdiff {command.name}: error: {exc}", file=stderr)
        return EXIT_USAGE
    except SymdiffError as exc:
        print(f"symdiff {command.name}: error: {exc}", file=stderr)
        return EXIT_INPUT

    request = Request(
        args,
        point,
        lambda name: _partial_label(name, stdout),
        measurements,
        _partial_label("x", stdout) != "d/dx",
    )

    def answer(text: str) -> tuple[str, dict[str, Any]]:
        return command.compute([parse(text)], request)

    if expressions != ["-"]:
        try:
            line, document = command.compute([parse(text) for text in expressions], request)
        except NotConverged as exc:
            print(_json(exc.document) if args.json else exc.line, file=stdout)
            print(f"symdiff {command.name}: {exc}", file=stderr)
            return EXIT_INPUT
        except SymdiffError as exc:
            print(f"symdiff {command.name}: error: {exc}", file=stderr)
            return EXIT_INPUT
        print(_json(document) if args.json else line, file=stdout)
        return EXIT_OK
    return _answer_lines(command.name, answer, args.json, stdin, stdout, stderr)


def _json(document: dict[str, Any]) -> str:
    """One JSON object; nan and inf (a run that went astray) are written as null."""
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(document), ensure_ascii=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def parse_measurements(specs: Sequence[str]) -> dict[str, tuple[float, float]]:
    """``["m=2+-0.1,g=9.81±0.01"]`` -> ``{"m": (2.0, 0.1), "g": (9.81, 0.01)}``."""
    measurements: dict[str, tuple[float, float]] = {}
    for spec in specs:
        for item in _split_top_level(spec):
            name, sep, text = item.partition("=")
            name = name.strip()
            if not sep or not name or not text.strip():
                raise UsageError(
                    f"--at takes NAME=VALUE+-UNCERTAINTY items separated by commas, not {item!r}"
                )
            if name in measurements:
                raise UsageError(f"--at gives {name} twice")
            measurements[name] = tools.read_measurement(text.strip())
    return measurements


def _answer_lines(
    name: str,
    answer: Callable[[str], tuple[str, dict[str, Any]]],
    as_json: bool,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """One result a non-blank line of ``stdin``; a failed line gets an empty line (a JSON
    object with ``error``) and its message on stderr, and the rest still run."""
    failed = False
    prefix = f"symdiff {name}" if name else "symdiff"
    for number, raw in enumerate(_bounded_lines(stdin), start=1):
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            if len(text) > current_limits().text_length:
                raise SymdiffError(
                    f"the line is longer than the limit of {current_limits().text_length:,} "
                    "characters"
                )
            line, document = answer(text)
        except SymdiffError as exc:
            if isinstance(exc, ParseError):
                exc = exc.on_line(number)
            failed = True
            print(json.dumps({"line": number, "error": str(exc)}) if as_json else "", file=stdout)
            stdout.flush()
            print(f"{prefix}: line {number}: {exc}", file=stderr)
            stderr.flush()
            continue
        if as_json:
            line = _json({"line": number, **document})
        print(line, file=stdout)
    return EXIT_INPUT if failed else EXIT_OK


def _bounded_lines(stdin: TextIO) -> Iterator[str]:
    """The lines of ``stdin``, each cut just past the text-length limit, so one endless
    line (``< /dev/zero``) costs bounded memory; the rest of a cut line is skipped."""
    while True:
        limit = current_limits().text_length + 1
        line = stdin.readline(limit)
        if not line:
            return
        if len(line) >= limit and not line.endswith("\n"):
            rest = line
            while rest and not rest.endswith("\n"):
                rest = stdin.readline(limit)
        yield line


def _check_variable(name: str) -> None:
    try:
        node = parse(name)
    except ParseError as exc:
        raise SymdiffError(f"the variable {name!r} is not a name: {exc}") from None
    if not is_variable(node):
        raise SymdiffError(f"{name!r} is not a variable name")


# --- the interactive session ---------------------------------------------------------

_REPL_DESCRIPTION = """\
An interactive session: name expressions (f = sin(x*y)), give variables values (x = 2),
define functions (g(t) = t^2 + 1), take derivatives (d/dx f, diff(f, x, 2), grad f,
hessian f) and show LaTeX (:latex d/dx f). :help inside tells more.

On a terminal, lines can be edited, TAB completes names and commands, and the history is
kept in $SYMDIFF_HISTORY if set, else in the data directory ($XDG_DATA_HOME/symdiff/history,
by default ~/.local/share/symdiff/history). When the input is piped, or TERM is dumb,
lines are read plainly: piped input gets no prompt, errors name their line on stderr, and
the exit status is 2 if any line failed."""

_REPL_EXAMPLES = """\
examples:
  symdiff
  echo 'd/dx x^2' | symdiff
  printf 'f = sin(x*y)\\nx = 2; y = 3\\ngrad f\\n' | symdiff repl"""


def repl_parser() -> argparse.ArgumentParser:
    return _Parser(
        prog="symdiff repl",
        description=_REPL_DESCRIPTION,
        epilog=f"{_REPL_EXAMPLES}\n\n{_EXIT_STATUS}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _run_repl(argv: Sequence[str], stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    parser = repl_parser()
    try:
        parser.parse_args(argv)
    except UsageError as exc:
        parser.print_usage(stderr)
        print(f"symdiff repl: error: {exc}", file=stderr)
        return EXIT_USAGE
    return terminal.run_repl(stdin, stdout, stderr)


EXIT_INTERRUPTED = 130  # as shells report SIGINT
EXIT_BROKEN_PIPE = 141  # as shells report SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    """The ``symdiff`` program: never a traceback for what the outside world does."""
    # Input bytes that are not UTF-8 become lone surrogates, which the parser reports as
    # characters it does not know: one bad line, not a crash. Output a terminal or file
    # cannot encode (θ, ∂ under cp1252) is escaped (\u03b8), not a crash.
    for stream, errors in ((sys.stdin, "surrogateescape"), (sys.stdout, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=errors)
    if isinstance(sys.stderr, io.TextIOWrapper):
        sys.stderr.reconfigure(errors="backslashreplace")
    try:
        status = run(sys.argv[1:] if argv is None else argv, sys.stdout, sys.stderr)
        sys.stdout.flush()
    except KeyboardInterrupt:
        print("symdiff: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader has gone (symdiff ... | head -1): stop quietly. Python flushes stdout
        # again at exit, so point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return status
