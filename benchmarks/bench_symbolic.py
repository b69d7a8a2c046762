"""Size and build time of symbolic gradients: symdiff beside SymPy, in one process.

For each formula: the nodes of the function, the nodes of its whole gradient (every
partial derivative together, shared nodes once) and their ratio; the same for SymPy's
``diff`` (counted as a tree, which is how SymPy prints it, and as distinct subexpressions,
which is what its memory shares), and the time each takes to build the gradient: cold (the
first time, no node of the gradient exists yet; SymPy's cache cleared) and warm (the same
call again: our nodes are interned, SymPy's cache is full).

Every gradient is checked at the case's point: ours against symdiff's numeric reverse-mode
gradient, SymPy's against ours. A disagreement is listed at the end and the exit status is 1.

    python benchmarks/bench_symbolic.py            # the table, about a minute
    python benchmarks/bench_symbolic.py --quick    # smaller cases only
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import symdiff
from symdiff.ir.graph import topological_order

# The repository's copy of the project's shared benchmark set, beside this file.
CASES = Path(__file__).resolve().parent / "cases.json"
REL = 1e-9  # symbolic and numeric answers agree to this relative tolerance
# SymPy is asked only where it answers within a few seconds (its diff is quadratic here).
SYMPY_LIMIT = 120


def to_sympy(expr: symdiff.Expr):  # type: ignore[no-untyped-def]
    """Our graph as SymPy objects, built node by node (never from our text)."""
    import sympy

    functions = {
        "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp,
        "log": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh, "sinh": sympy.sinh,
        "cosh": sympy.cosh, "atan": sympy.atan, "abs": sympy.Abs,
    }  # fmt: skip
    built: dict[symdiff.Expr, object] = {}
    for node in topological_order([expr]):
        key = node.op.key
        args = [built[a] for a in node.args]
        if key == "constant":
            value = node.payload
            built[node] = sympy.Integer(value) if type(value) is int else sympy.Float(value)
        elif key == "variable":
            built[node] = sympy.Symbol(str(node.payload), real=True)
        elif key == "pi":
            built[node] = sympy.pi
        elif key == "e":
            built[node] = sympy.E
        elif key == "add":
            built[node] = args[0] + args[1]
        elif key == "sub":
            built[node] = args[0] - args[1]
        elif key == "mul":
            built[node] = args[0] * args[1]
        elif key == "div":
            built[node] = args[0] / args[1]
        elif key == "neg":
            built[node] = -args[0]
        elif key == "pow":
            built[node] = args[0] ** args[1]
        else:
            built[node] = functions[key](*args)
    return built[expr]


def sympy_sizes(expressions: list[object]) -> tuple[int, int]:
    """(tree nodes, distinct subexpressions) over all the expressions."""
    import sympy

    tree = 0
    distinct: set[object] = set()
    for e in expressions:
        for sub in sympy.preorder_traversal(e):
            tree += 1
            distinct.add(sub)
    return tree, len(distinct)


def timed(function, repeats: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=REL)


def row(
    name: str, text: str, point: dict[str, float], with_sympy: bool, failures: list[str]
) -> dict[str, object]:
    f = symdiff.parse(text)
    cold, gradient = timed(lambda: symdiff.gradient(f), 1)
    warm, _ = timed(lambda: symdiff.gradient(f))
    assert isinstance(gradient, dict)
    numeric = symdiff.differentiate(f, point)
    for variable, partial in gradient.items():
        if not close(partial.evaluate(point), numeric[variable]):
            failures.append(
                f"{name}: d/d{variable} is {partial.evaluate(point)!r} symbolically, "
                f"{numeric[variable]!r} by the reverse sweep"
            )
    ours_f, ours_g = symdiff.count_nodes(f), symdiff.count_nodes(*gradient.values())
    result: dict[str, object] = {
        "name": name,
        "f": ours_f,
        "grad": ours_g,
        "ratio": ours_g / ours_f,
        "ms": cold * 1e3,
        "warm_ms": warm * 1e3,
    }
    if with_sympy:
        import sympy

        g = to_sympy(f)
        symbols = sorted(g.free_symbols, key=str)
        sympy.core.cache.clear_cache()
        sympy_cold, partials = timed(lambda: [sympy.diff(g, s) for s in symbols], 1)
        sympy_warm, _ = timed(lambda: [sympy.diff(g, s) for s in symbols], 1)
        at = {s: point[str(s)] for s in symbols}
        for s, partial in zip(symbols, partials, strict=True):  # type: ignore[call-overload]
            theirs = float(partial.evalf(subs=at))
            if not close(theirs, numeric[str(s)]):
                failures.append(f"{name}: d/d{s} is {theirs!r} for SymPy, {numeric[str(s)]!r} here")
        tree_f, _ = sympy_sizes([g])
        tree_g, distinct_g = sympy_sizes(partials)  # type: ignore[arg-type]
        result |= {
            "sympy_f": tree_f,
            "sympy_tree": tree_g,
            "sympy_distinct": distinct_g,
            "sympy_ratio": tree_g / tree_f,
            "sympy_ms": sympy_cold * 1e3,
            "sympy_warm_ms": sympy_warm * 1e3,
        }
    return result


def fourth_derivatives(text: str, failures: list[str]) -> float:
    """Milliseconds for d^4/dv^4 of the formula for each of its variables, from nothing
    remembered (the median of 3); checked against the same derivatives built with build's
    memory off (``rules.forgetting``): the same nodes."""
    from symdiff.diff.symbolic import STEPS
    from symdiff.simplify.rules import forgetting

    f = symdiff.parse(text)

    def fourth() -> list[symdiff.Expr]:
        STEPS.clear()
        return [symdiff.derivative(f, name, 4) for name in f.variables]

    times = []
    for _ in range(3):
        start = time.perf_counter()
        fourth()  # the results die here, and with them what build remembered of them
        times.append(time.perf_counter() - start)
    kept = fourth()
    with forgetting():
        again = fourth()
    if any(a is not b for a, b in zip(kept, again, strict=True)):
        failures.append(f"{text}: a 4th derivative differs without build's memory")
    STEPS.clear()
    return statistics.median(times) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases only")
    args = parser.parse_args()
    limit = 64 if args.quick else 10**9

    rows, failures = [], []
    for case in json.loads(CASES.read_text(encoding="utf-8")):
        if case["n"] is not None and case["n"] > limit:
            continue
        point = {k: float(v) for k, v in case["point"].items()}
        sympy_too = case["nodes"] <= SYMPY_LIMIT
        rows.append(row(case["name"], case["expr"], point, sympy_too, failures))
    for n in (10, 100, 1000):
        if n > limit:
            continue
        product = "*".join(f"sin(x{i})" for i in range(1, n + 1))
        point = {f"x{i}": 0.5 + 1 / (i + 1) for i in range(1, n + 1)}
        rows.append(row(f"product of {n} sines", product, point, n <= 100, failures))
    tenth = symdiff.derivative("sin(x)*exp(x)", "x", 10)
    # d^n/dx^n e^x sin(x) = 2^(n/2) e^x sin(x + n*pi/4); for n = 10 that is 32 e^x cos(x).
    if not close(tenth.evaluate(x=0.7), 32 * math.exp(0.7) * math.cos(0.7)):
        failures.append(f"10th derivative of sin(x)*exp(x): {tenth} is not 32*exp(x)*cos(x)")

    print(
        "| formula | f nodes | gradient nodes | ratio | build ms cold | warm "
        "| SymPy f tree | SymPy gradient tree | SymPy distinct | SymPy ratio "
        "| SymPy ms cold | warm |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ours = (
            f"| {r['name']} | {r['f']} | {r['grad']} | {r['ratio']:.2f} | {r['ms']:.2f} "
            f"| {r['warm_ms']:.3f} "
        )
        if "sympy_tree" in r:
            theirs = (
                f"| {r['sympy_f']} | {r['sympy_tree']} | {r['sympy_distinct']} "
                f"| {r['sympy_ratio']:.1f} | {r['sympy_ms']:.1f} | {r['sympy_warm_ms']:.2f} |"
            )
        else:
            theirs = "| - | - | - | - | - | - |"
        print(ours + theirs)
    worst = max(rows, key=lambda r: r["ratio"])  # type: ignore[arg-type, return-value]
    print(f"\nlargest gradient/function ratio: {worst['ratio']:.2f} ({worst['name']})")
    print("\n| formula | 4th derivatives, every variable, ms |\n|---|---:|")
    fourths = []
    for case in json.loads(CASES.read_text(encoding="utf-8")):
        if case["family"] in ("textbook", "physics"):
            fourths.append(fourth_derivatives(case["expr"], failures))
            print(f"| {case['name']} | {fourths[-1]:.1f} |")
    print(f"| total | {sum(fourths):.1f} |")
    print(f"10th derivative of sin(x)*exp(x): {tenth} ({symdiff.count_nodes(tenth)} nodes)")
    print(f"python {sys.version.split()[0]}")
    if failures:
        print("\nFAILED checks:\n" + "\n".join(f"- {failure}" for failure in failures))
        return 1
    print("\nevery gradient agreed with the reverse sweep (and SymPy's where computed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
