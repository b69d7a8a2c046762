"""The speed jobs of issue 9 that need no arrays: start, scaling, large graphs.

1. start: ``symdiff 'sin(x*y)+cos(x*y)' --at x=2,y=3`` end to end beside
   ``python -c "import lark"`` (target: at most 1.5x), both run as fresh processes, in
   turn, median of the runs;
2. scaling: parsing, the reverse sweep (a first, interpreted ``differentiate``) and the
   symbolic derivative from 10^3 to 10^6 nodes, with the exponent of a least-squares fit
   of log(time) on log(nodes) (target: linear, exponent near 1); parsing beside Lark's own
   LALR parser reading the same text with no tree built (a transformer whose every rule
   returns None; target: at most 2x);
3. large graph: the gradient of the 10,000-term sum sin(x1*x2) + sin(x2*x3) + ... (40,000
   nodes) at a new point, once compiled, beside a straight-line Python function of its
   value (``s += sin(x1*x2)`` a line, called with the point as positional arguments;
   target: at most 3x), and the time to compile it.

    python benchmarks/bench_speed.py             # about 3 minutes on 2 cores
    python benchmarks/bench_speed.py --quick     # up to 10^5 nodes, about 30 seconds

Run it on the installed wheel for the start job: an editable install reads the grammar
from the checkout and keeps Lark's tables in Lark's per-user cache, not in the package.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata

import lark

import symdiff
from symdiff.codegen.python import compile_gradient
from symdiff.diff import symbolic
from symdiff.numeric.evaluate import plan
from symdiff.syntax.parser import grammar_text, parse_uncached
from symdiff.syntax.tables import LARK_OPTIONS

START_TARGET, PARSE_TARGET, SUM_TARGET = 1.5, 2.0, 3.0


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def start_job(runs: int) -> list[str]:
    beside = os.path.join(os.path.dirname(sys.executable), "symdiff")
    symdiff_command = beside if os.path.exists(beside) else shutil.which("symdiff") or "symdiff"
    ours = [symdiff_command, "sin(x*y)+cos(x*y)", "--at", "x=2,y=3"]
    lark_only = [sys.executable, "-c", "import lark"]
    for command in (ours, lark_only):  # warm the file cache
        wall(command)
    times: dict[str, list[float]] = {"symdiff": [], "lark": []}
    for _ in range(runs):  # in turn, so that a change in load touches both
        times["symdiff"].append(wall(ours))
        times["lark"].append(wall(lark_only))
    mine, theirs = statistics.median(times["symdiff"]), statistics.median(times["lark"])
    ratio = mine / theirs
    verdict = "MET" if ratio <= START_TARGET else "MISSED"
    return [
        f"## 1. The command line's start (median of {runs} fresh processes each, run in turn)",
        "",
        "| command | time | ratio |",
        "|---|---|---|",
        f'| `python -c "import lark"` | {theirs * 1e3:.1f} ms | 1 |',
        f"| `symdiff 'sin(x*y)+cos(x*y)' --at x=2,y=3` | {mine * 1e3:.1f} ms | {ratio:.2f}x |",
        "",
        f"- Target: at most {START_TARGET}x: {verdict}",
    ]


class _NoTree(lark.Transformer[lark.Token, None]):
    """Every rule and token gives None: Lark parses, and builds nothing."""

    def __default__(self, data: object, children: object, meta: object) -> None:
        return None

    def __default_token__(self, token: lark.Token) -> None:
        return None


def best_of(
    call: Callable[[], object], repeats: int, setup: Callable[[], object] | None = None
) -> float:
    """The least time of ``repeats`` calls, each after ``setup`` (not timed)."""
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        gc.collect()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def sum_text(terms: int) -> str:
    return "+".join(f"sin(x{i}*x{i + 1})" for i in range(1, terms + 1))


def tower_text(height: int) -> str:
    return "^".join(["x"] * height)


def exponent(sizes: list[int], times: list[float]) -> float:
    """The slope of the least-squares line through (log size, log time)."""
    xs, ys = [math.log(n) for n in sizes], [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def scaling_job(largest: int) -> list[str]:
    bare = lark.Lark(grammar_text(), **LARK_OPTIONS, transformer=_NoTree())
    lines = [
        "## 2. Parsing and differentiating from 10^3 nodes up (best of runs)",
        "",
        "| formula | nodes | characters | Lark, no tree | parse | ratio | reverse sweep "
        "| symbolic derivative |",
        "|---|---|---|---|---|---|---|---|",
    ]
    summary = []
    families = (
        ("sin(x_i*x_(i+1)) summed", sum_text, 4, "x2"),
        ("x^x^...^x", tower_text, 2, "x"),
    )
    for label, build, nodes_per_unit, wrt in families:
        sizes, parse_times, sweep_times, symbolic_times, ratios = [], [], [], [], []
        nodes = 1000
        while nodes <= largest:
            text = build(nodes // nodes_per_unit)
            repeats = 3 if nodes < 10**5 else 1
            with symdiff.limits(text_length=10**8, nesting_depth=10**7):
                lark_time = best_of(lambda text=text: bare.parse(text), repeats)
                parse_time = best_of(lambda text=text: parse_uncached(text), repeats)
                expr = parse_uncached(text)
                count = symdiff.count_nodes(expr)
                point = dict.fromkeys(expr.variables, 1.0001)

                def sweep(expr: symdiff.Expr = expr, point: dict[str, float] = point) -> None:
                    expr._plan = None  # a first call: planned and interpreted
                    symdiff.differentiate(expr, point)

                sweep_time = best_of(sweep, repeats)
                # Each run from nothing: derivatives are remembered (STEPS), so a repeat
                # would time the memo, not the rules.
                symbolic_time = best_of(
                    lambda expr=expr, wrt=wrt: symdiff.derivative(expr, wrt),
                    repeats,
                    setup=symbolic.STEPS.clear,
                )
            sizes.append(count)
            parse_times.append(parse_time)
            sweep_times.append(sweep_time)
            symbolic_times.append(symbolic_time)
            ratios.append(parse_time / lark_time)
            lines.append(
                f"| {label} | {count:,} | {len(text):,} | {lark_time * 1e3:.1f} ms "
                f"| {parse_time * 1e3:.1f} ms | {parse_time / lark_time:.2f}x "
                f"| {sweep_time * 1e3:.1f} ms | {symbolic_time * 1e3:.1f} ms |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
            del expr
            nodes *= 10
        summary.append(
            f"- {label}: exponents of the fit, parse {exponent(sizes, parse_times):.2f}, "
            f"reverse sweep {exponent(sizes, sweep_times):.2f}, symbolic derivative "
            f"{exponent(sizes, symbolic_times):.2f}; parse / Lark {min(ratios):.2f}x to "
            f"{max(ratios):.2f}x (target at most {PARSE_TARGET}x: "
            f"{'MET' if max(ratios) <= PARSE_TARGET else 'MISSED'})"
        )
    return [*lines, "", *summary]


def large_graph_job(terms: int, repeats: int) -> list[str]:
    expr = symdiff.parse(sum_text(terms))
    p = plan(expr)
    started = time.perf_counter()
    code = compile_gradient(p.order, p.variable_nodes, p.active)
    compile_time = time.perf_counter() - started
    names = ", ".join(f"x{i}" for i in range(1, terms + 2))
    source = f"def value({names}):\n    s = 0.0\n" + "".join(
        f"    s += sin(x{i}*x{i + 1})\n" for i in range(1, terms + 1)
    )
    namespace: dict[str, object] = {"sin": math.sin}
    exec(compile(source + "    return s\n", "<straight-line value>", "exec"), namespace)
    value: Callable[..., float] = namespace["value"]  # type: ignore[assignment]
    rng = random.Random(9)
    points = [{name: rng.uniform(-1, 1) for name in p.variables} for _ in range(repeats)]
    first = time.perf_counter()
    interpreted = symdiff.differentiate(expr, points[0])  # the first call interprets
    first_time = time.perf_counter() - first
    uses = 0
    while p.gradient_code is None:  # the calls that compile it
        symdiff.differentiate(expr, points[0])
        uses += 1
    assert (interpreted.value, *interpreted.values()) == (
        symdiff.differentiate(expr, points[0]).value,
        *symdiff.differentiate(expr, points[0]).values(),
    )
    started = time.perf_counter()
    compiled = symdiff.compile(expr, p.variables)
    compiled_build = time.perf_counter() - started
    gradient_times, value_times, raw_times, compiled_times = [], [], [], []

    def best(call: Callable[[], object]) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        return min(times)

    for point in points:  # new points, one after the other; the best of 3 calls at each
        arguments = list(point.values())
        gradient_times.append(best(lambda point=point: symdiff.differentiate(expr, point)))
        raw_times.append(best(lambda arguments=arguments: code(*arguments)))
        compiled_times.append(best(lambda arguments=arguments: compiled(*arguments)))
        value_times.append(best(lambda arguments=arguments: value(*arguments)))
    gradient, raw, plain, positional = (
        statistics.median(t) for t in (gradient_times, raw_times, value_times, compiled_times)
    )
    value, partials = compiled(*points[0].values())
    assert (value, *partials) == code(*points[0].values())  # the same numbers either way
    verdict = "MET" if gradient / plain <= SUM_TARGET else "MISSED"
    return [
        f"## 3. The {terms:,}-term sum at a new point ({len(p.body) + 1:,} nodes; median of "
        f"{repeats} points, best of 3 calls at each)",
        "",
        "| what | time | ratio to the value |",
        "|---|---|---|",
        f"| straight-line Python value (`s += sin(x1*x2)` a line) | {plain * 1e3:.2f} ms | 1 |",
        f"| `symdiff.differentiate(expr, point)`, compiled | {gradient * 1e3:.2f} ms "
        f"| {gradient / plain:.2f}x |",
        f"| the generated gradient function alone | {raw * 1e3:.2f} ms | {raw / plain:.2f}x |",
        f"| `symdiff.compile(expr)(*values)`, positional (values checked) | "
        f"{positional * 1e3:.2f} ms | {positional / plain:.2f}x |",
        f"| first call (planned and interpreted) | {first_time * 1e3:.0f} ms | |",
        f"| generating and compiling the gradient once | {compile_time * 1e3:.0f} ms | |",
        f"| `symdiff.compile(expr)`, once | {compiled_build * 1e3:.0f} ms | |",
        "",
        f"- Target: the gradient at most {SUM_TARGET}x the value: {verdict}",
        f"- Compiled on use {uses + 1} (graphs of 3,000 nodes or more wait until "
        "interpreting them has cost about what compiling will)",
    ]


def environment() -> list[str]:
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return [
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; "
        f"load average at start {load}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}",
        f"- symdiff {metadata.version('symdiff')} from {os.path.dirname(symdiff.__file__)}; "
        f"lark {lark.__version__}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="up to 10^5 nodes, fewer runs")
    parser.add_argument("--only", choices=["start", "scaling", "large"], action="append")
    args = parser.parse_args()
    jobs = args.only or ["start", "scaling", "large"]
    lines = ["# symdiff speed jobs (issue 9)", "", *environment(), ""]
    if "start" in jobs:
        lines += [*start_job(10 if args.quick else 30), ""]
    if "scaling" in jobs:
        lines += [*scaling_job(10**5 if args.quick else 10**6), ""]
    if "large" in jobs:
        lines += [*large_graph_job(10_000, 5 if args.quick else 21), ""]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
