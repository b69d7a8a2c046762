"""How long our printed derivatives are beside SymPy's ``diff``, case by case.

For every formula of ``tests/corpus.py`` (its first derivative in each variable), every
textbook case there (at its order) and the higher-order examples of the readability issue,
the derivative is printed by both; lengths are counted the same way for both: characters
with spaces removed and SymPy's ``**`` read as ``^``, and tree nodes (every operation,
number and name as printed, a shared part counted at each use). SymPy's formula is built
from our graph node by node (``tests/oracles.py``), its floats at their usual 15 digits.

    python benchmarks/bench_readability.py            # the summary and the longest ratios
    python benchmarks/bench_readability.py --all      # every case
    python benchmarks/bench_readability.py --markdown # the table for benchmarks/README.md

Targets: ours no longer than SymPy's on at least 95% of cases, and never more than 1.5
times it. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sympy

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from corpus import CORPUS, TEXTBOOK  # noqa: E402
from oracles import Undefined, symbol, sympy_printed, to_sympy  # noqa: E402

import symdiff  # noqa: E402
from symdiff.syntax.printer import printed_size  # noqa: E402

# The examples the readability issue quotes, beyond the corpus: (formula, variable, order).
EXAMPLES = [
    ("exp(-x^2)", "x", 6),
    ("tan(x)", "x", 8),
    ("x/(1+x)", "x", 1),
    ("(1+3*x^2)/(x+x^3)", "x", 2),
    ("exp(-x^2)", "x", 4),
    ("1/(1+x^2)", "x", 3),
    ("x^2*exp(-x)", "x", 5),
    ("sin(x)/x", "x", 3),
    ("atan(x)", "x", 4),
    ("exp(x)/(1+exp(x))", "x", 3),
]


@dataclass
class Row:
    label: str
    ours: int
    theirs: int
    ours_nodes: int
    theirs_nodes: int
    seconds: float

    @property
    def ratio(self) -> float:
        return self.ours / max(1, self.theirs)


def measure(label: str, formula: str, var: str, order: int) -> Row | None:
    expr = symdiff.parse(formula)
    start = time.perf_counter()
    result = symdiff.derivative(expr, var, order)
    seconds = time.perf_counter() - start
    ours = str(result).replace(" ", "")
    try:
        theirs_expr = sympy.diff(to_sympy(expr, 15), symbol(var), order)
    except Undefined:
        return None
    theirs = sympy_printed(theirs_expr)
    theirs_nodes = sum(1 for _ in sympy.preorder_traversal(theirs_expr))
    return Row(label, len(ours), len(theirs), printed_size(result, 10**9), theirs_nodes, seconds)


def cases() -> list[tuple[str, str, str, int]]:
    found: dict[str, tuple[str, str, str, int]] = {}
    for case in CORPUS:
        for name in symdiff.parse(case.text).variables:
            label = f"d/d{name} {case.text}"
            found.setdefault(label, (label, case.text, name, 1))
    for formula, var, order, _ in TEXTBOOK:
        if order >= 1:
            label = f"d{order}/d{var}{order if order > 1 else ''} {formula}"
            found.setdefault(label, (label, formula, var, order))
    for formula, var, order in EXAMPLES:
        label = f"d{order}/d{var}{order if order > 1 else ''} {formula}"
        found.setdefault(label, (label, formula, var, order))
    return list(found.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="print every case")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    options = parser.parse_args()
    symdiff.derivative("atan2(3, x)*sin(x)", "x")  # the first call builds caches
    rows = [row for spec in cases() if (row := measure(*spec)) is not None]
    rows.sort(key=lambda row: -row.ratio)
    shorter_or_equal = sum(row.ours <= row.theirs for row in rows)
    worst = rows[0]
    share = shorter_or_equal / len(rows)
    total_ours = sum(row.ours for row in rows)
    total_theirs = sum(row.theirs for row in rows)
    shown = rows if options.all else rows[:15]
    if options.markdown:
        print("| case | ours (chars) | SymPy (chars) | ratio | ours (nodes) | SymPy (nodes) |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in shown:
            label = row.label if len(row.label) <= 70 else row.label[:67] + "..."
            print(
                f"| `{label}` | {row.ours} | {row.theirs} | {row.ratio:.2f} "
                f"| {row.ours_nodes} | {row.theirs_nodes} |"
            )
    else:
        for row in shown:
            print(
                f"{row.ratio:5.2f}  {row.ours:6d} {row.theirs:6d} chars  "
                f"{row.ours_nodes:6d} {row.theirs_nodes:6d} nodes  {row.label[:80]}"
            )
    print()
    print(f"cases: {len(rows)}")
    print(f"ours no longer than SymPy's: {shorter_or_equal} ({share:.1%}); target 95%")
    print(f"longest ratio: {worst.ratio:.2f} ({worst.label}); target at most 1.5")
    print(f"all characters: ours {total_ours:,}, SymPy {total_theirs:,}")
    slowest = max(rows, key=lambda row: row.seconds)
    print(f"slowest derivative: {slowest.seconds * 1000:.1f} ms ({slowest.label[:60]})")
    return 0 if share >= 0.95 and worst.ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
