"""The ``symdiff`` command.

``symdiff EXPR --at x=2,y=3`` prints the parsed expression, its value and every partial
derivative; ``--json`` prints the same as one JSON object. Exit status: 0 when all went
well, 1 for a usage error (bad options), 2 for bad input (a formula or value symdiff cannot
use); errors go to stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from . import __version__
from .api import differentiate
from .errors import ParseError, SymdiffError
from .parser import parse

EXIT_OK, EXIT_USAGE, EXIT_INPUT = 0, 1, 2

_DESCRIPTION = """\
Differentiate a formula: print its value and every partial derivative at a point,
computed by one reverse-mode (backpropagation) sweep over the expression graph."""

_EXAMPLES = """\
examples:
  symdiff 'sin(x*y) + cos(x*y)' --at x=2,y=3
  symdiff 'exp(-(x-mu)^2/(2*s^2))' --at x=0.5,mu=0,s=1.3 --json
  symdiff 'sin(theta)^2' --at theta=pi/4

syntax: + - * / and ^ (or **) for power; write products explicitly (2*x, not 2x);
constants pi and e; functions such as sin, log, sqrt, atan2(y, x), log(x, base)."""


class UsageError(Exception):
    """Bad options or arguments: exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symdiff",
        description=_DESCRIPTION,
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", help="the formula, e.g. 'sin(x*y) + cos(x*y)'")
    parser.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="NAME=VALUE,...",
        help="the point: values for the variables, e.g. x=2,y=3 (values may be "
        "constant formulas such as pi/4; the option may be repeated)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--version", action="version", version=f"symdiff {__version__}")
    return parser


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
                    raise UsageError(
                        f"the value of {name} must be a number or a constant formula, "
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


def _protect_formulas(argv: Sequence[str]) -> list[str]:
    """Let ``symdiff '-x^2'`` work: argparse would take a leading ``-`` for an option.

    symdiff has no single-dash options but ``-h``, so any other such word is a formula; a
    leading space (which the grammar skips) stops argparse from reading it as an option.
    """
    return [
        f" {arg}" if arg.startswith("-") and not arg.startswith("--") and arg != "-h" else arg
        for arg in argv
    ]


def run(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    try:
        args = build_parser().parse_args(_protect_formulas(argv))
    except UsageError as exc:
        build_parser().print_usage(stderr)
        print(f"symdiff: error: {exc}", file=stderr)
        return EXIT_USAGE
    try:
        expr = parse(args.expression)
        point = parse_point(args.at)
        gradient = differentiate(expr, point)
    except UsageError as exc:
        print(f"symdiff: error: {exc}", file=stderr)
        return EXIT_USAGE
    except SymdiffError as exc:
        print(f"symdiff: error: {exc}", file=stderr)
        return EXIT_INPUT
    if args.json:
        document = {
            "expression": str(expr),
            "variables": list(expr.variables),
            "point": point,
            "value": gradient.value,
            "gradient": dict(gradient),
        }
        print(json.dumps(document, ensure_ascii=False), file=stdout)
        return EXIT_OK
    rows = [("expression", str(expr))]
    if point:
        rows.append(("at", ", ".join(f"{k} = {v!r}" for k, v in point.items())))
    rows.append(("value", repr(gradient.value)))
    rows.extend((_partial_label(name, stdout), repr(d)) for name, d in gradient.items())
    width = max(len(label) for label, _ in rows)
    for label, text in rows:
        print(f"{label:<{width}}  {text}", file=stdout)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    return run(sys.argv[1:] if argv is None else argv, sys.stdout, sys.stderr)
