"""Start-up, scaling and large graphs: the speed targets of the command line and the parser.

Four jobs, printed as Markdown:

1. ``symdiff 'sin(x*y)+cos(x*y)' --at x=2,y=3`` end to end beside ``python -c "import lark"``
   (median wall time of repeated runs, each a fresh process);
2. parsing: symdiff's parser beside Lark's own LALR parser reading the same text with no
   tree built (a transformer whose every callback returns None), over three families
   (a sum of ``sin(xi*xj)``, ``-(-(...))`` nested, the tower ``x^x^...^x``), and the
   exponent of a least-squares fit of log(time) on log(nodes);
3. differentiating: the first value and gradient (the checked interpreter) over the same
   families, and its exponent;
4. the 10,000-term sum ``sin(x1*x2)+...``: compile time of its gradient, then the gradient
   at a new point beside a straight-line Python function of its value alone.

    python benchmarks/bench_scaling.py                  # nodes up to 10^5, a few minutes
    python benchmarks/bench_scaling.py --max-nodes 1e6  # up to 10^6: tens of minutes
    python benchmarks/bench_scaling.py --quick          # nodes up to 10^4, under a minute
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import timeit
from collections.abc import Callable, Sequence
from importlib import metadata
from time import perf_counter

import lark
from lark import Lark, Transformer

import symdiff
from symdiff.codegen.python import compile_gradient
from symdiff.numeric.evaluate import plan
from symdiff.syntax.parser import grammar_text, parse_uncached
from symdiff.syntax.tables import LARK_OPTIONS

CLI_TARGET = 1.5  # symdiff's answer at most 1.5x Python importing Lark
PARSE_TARGET = 2.0  # parsing at most 2x Lark's parser building nothing
SUM_TARGET = 3.0  # the 10,000-term sum's gradient at most 3x its straight-line value


# --- 1. the command line's start -------------------------------------------------------


def _wall(command: Sequence[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(perf_counter() - start)
    return statistics.median(times)


def run_cli(runs: int) -> str:
    script = shutil.which("symdiff", path=os.path.dirname(sys.executable)) or "symdiff"
    answer = [script, "sin(x*y)+cos(x*y)", "--at", "x=2,y=3"]
    baseline = [sys.executable, "-c", "import lark"]
    for command in (answer, baseline):  # warm the file cache and Lark's per-user cache
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    symdiff_time, lark_time = 0.0, 0.0
    # Interleaved rounds, so a change of load falls on both columns alike.
    rounds = [(_wall(answer, runs), _wall(baseline, runs)) for _ in range(3)]
    symdiff_time = statistics.median(r[0] for r in rounds)
    lark_time = statistics.median(r[1] for r in rounds)
    ratio = symdiff_time / lark_time
    verdict = "meets" if ratio <= CLI_TARGET else "misses"
    return "\n".join(
        [
            "## 1. The command line's start (median wall time, fresh processes)",
            "",
            "| command | time | ratio |",
            "|---|---|---|",
            f'| `python -c "import lark"` | {lark_time * 1e3:.1f} ms | 1 |',
            f"| `symdiff 'sin(x*y)+cos(x*y)' --at x=2,y=3` | {symdiff_time * 1e3:.1f} ms "
            f"| {ratio:.2f}x ({verdict} {CLI_TARGET}x) |",
            "",
        ]
    )


# --- 2. and 3. parsing and differentiating, by size ------------------------------------


def sum_text(size: int) -> str:
    terms = max(1, size // 4)  # sin, *, and a + per term; the variables are shared
    return "+".join(f"sin(x{i}*x{i + 1})" for i in range(1, terms + 1))


def neg_text(size: int) -> str:
    return "-(" * size + "x" + ")" * size


def tower_text(size: int) -> str:
    return "^".join(["x"] * size)


FAMILIES: dict[str, Callable[[int], str]] = {
    "sum": sum_text,
    "neg": neg_text,
    "tower": tower_text,
}


class _NoTree(Transformer[lark.Token, None]):
    """Every rule and token gives None: Lark parses and builds nothing."""

    def __default__(self, data: object, children: object, meta: object) -> None:
        return None

    def __default_token__(self, token: lark.Token) -> None:
        return None


def exponent(sizes: Sequence[int], times: Sequence[float]) -> float:
    """The slope of the least-squares line through (log size, log time)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def _once(call: Callable[[], object]) -> float:
    start = perf_counter()
    call()
    return perf_counter() - start


def run_scaling(sizes: Sequence[int]) -> str:
    bare = Lark(grammar_text(), **LARK_OPTIONS, transformer=_NoTree())
    rows, fits = [], []
    for family, make_text in FAMILIES.items():
        nodes, parse_times, diff_times = [], [], []
        for size in sizes:
            text = make_text(size)
            with symdiff.limits(text_length=10**9, nesting_depth=10**8):
                parse_time = _once(lambda: parse_uncached(text))  # noqa: B023
                expr = parse_uncached(text)
                lark_time = _once(lambda: bare.parse(text))  # noqa: B023
                point = {name: 0.5 for name in expr.variables}
                diff_time = _once(lambda: symdiff.differentiate(expr, **point))  # noqa: B023
            count = symdiff.count_nodes(expr)
            nodes.append(count)
            parse_times.append(parse_time)
            diff_times.append(diff_time)
            rows.append(
                f"| {family} | {count:,} | {len(text):,} | {parse_time:.3f} s | "
                f"{lark_time:.3f} s | {parse_time / lark_time:.2f}x | {diff_time:.3f} s |"
            )
        fits.append(
            f"| {family} | {exponent(nodes, parse_times):.2f} | {exponent(nodes, diff_times):.2f} |"
        )
    return "\n".join(
        [
            "## 2. Parsing and differentiating by size (one run each)",
            "",
            "Lark no tree: Lark's LALR parser on the same text, every callback returning None.",
            "Differentiate: the first `differentiate` call (the checked interpreter).",
            "",
            "| family | DAG nodes | characters | symdiff parse | Lark no tree | ratio "
            "| differentiate |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Exponents of time against nodes (least squares on logs; 1 is linear):",
            "",
            "| family | parse | differentiate |",
            "|---|---|---|",
            *fits,
            "",
        ]
    )


# --- 4. the 10,000-term sum --------------------------------------------------------------


def run_sum(terms: int) -> str:
    names = [f"x{i}" for i in range(1, terms + 2)]
    body = [f"    s += sin(x{i} * x{i + 1})" for i in range(1, terms + 1)]
    source = "\n".join([f"def value({', '.join(names)}):", "    s = 0.0", *body, "    return s"])
    namespace: dict[str, object] = {"sin": math.sin}
    exec(compile(source, "<straight-line value>", "exec"), namespace)  # our own text
    value: Callable[..., float] = namespace["value"]  # type: ignore[assignment]

    expr = symdiff.parse("+".join(f"sin(x{i}*x{i + 1})" for i in range(1, terms + 1)))
    steps = plan(expr)
    start = perf_counter()
    gradient = compile_gradient(steps.order, steps.variable_nodes, steps.active)
    compile_time = perf_counter() - start

    rng = random.Random(9)
    points = [[rng.uniform(-1, 1) for _ in names] for _ in range(16)]
    cycle = iter(range(10**9))

    def best(call: Callable[[list[float]], object]) -> float:
        return min(timeit.repeat(lambda: call(points[next(cycle) % 16]), number=3, repeat=7)) / 3

    value_time = best(lambda p: value(*p))
    compiled_time = best(lambda p: gradient(*p))
    # Through the API: the first call interprets; the plan compiles on a later use.
    first = dict(zip(names, points[0], strict=True))
    interpreted = _once(lambda: symdiff.differentiate(expr, **first))
    for point in points[1:12]:
        symdiff.differentiate(expr, **dict(zip(names, point, strict=True)))
    api_time = best(lambda p: symdiff.differentiate(expr, **dict(zip(names, p, strict=True))))
    ratio = compiled_time / value_time
    verdict = "meets" if ratio <= SUM_TARGET else "misses"
    return "\n".join(
        [
            f"## 3. The {terms:,}-term sum sin(x1*x2)+... ({symdiff.count_nodes(expr):,} nodes)",
            "",
            "| what | time | ratio to the value |",
            "|---|---|---|",
            f"| straight-line Python value (positional floats) | {value_time * 1e3:.2f} ms | 1 |",
            f"| compiled gradient, a new point | {compiled_time * 1e3:.2f} ms | {ratio:.2f}x "
            f"({verdict} {SUM_TARGET}x) |",
            f"| `symdiff.differentiate(expr, **point)`, compiled, a new point "
            f"| {api_time * 1e3:.2f} ms | {api_time / value_time:.2f}x |",
            f"| `symdiff.differentiate`, first call (interpreted) | {interpreted * 1e3:.0f} ms "
            f"| {interpreted / value_time:.0f}x |",
            f"| compiling the gradient (once) | {compile_time:.2f} s | |",
            "",
        ]
    )


def header() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"- machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; "
            f"load average at start {load}",
            f"- Python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.platform()}",
            f"- symdiff {symdiff.__version__}, lark {metadata.version('lark')}",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--quick", action="store_true", help="nodes up to 10^4")
    options.add_argument("--max-nodes", type=float, default=1e5, help="largest graph (1e5)")
    options.add_argument("--terms", type=int, default=10_000, help="terms of the sum (10000)")
    options.add_argument("--runs", type=int, default=10, help="command runs per round (10)")
    args = options.parse_args(argv)
    largest = 10_000 if args.quick else int(args.max_nodes)
    sizes = [10**k for k in range(3, 9) if 10**k <= largest]
    print(header())
    print(run_cli(args.runs), flush=True)
    print(run_scaling(sizes), flush=True)
    print(run_sum(args.terms), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
