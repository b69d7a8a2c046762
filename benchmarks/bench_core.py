"""symdiff's core jobs timed against SymPy, JAX, PyTorch and a micrograd-style engine.

Three jobs, all in one process, medians over repeats, printed as Markdown tables:

1. fresh string -> value and gradient, for formulas never seen before;
2. the same gradient again at a new point (steady state);
3. large inputs: sums of 1,000 to 100,000 terms and sin(sin(...)) nested 100,000 deep.

    python benchmarks/bench_core.py            # 1 to 2 minutes on 2 cores
    python benchmarks/bench_core.py --quick    # about 15 seconds

SymPy, PyTorch and JAX are optional: a tool that does not import gets its column skipped,
with a note. What each column times is in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from time import perf_counter_ns
from typing import Any

os.environ.setdefault("JAX_PLATFORMS", "cpu")  # don't probe for accelerators

from micrograd_style import Value
from translate import (
    Source,
    Unsupported,
    close,
    float_point,
    method_backend,
    module_backend,
    python_function,
    sympy_expr,
    sympy_text,
)

import symdiff
import symdiff.ir.nodes
from symdiff.numeric.evaluate import LARGE_GRAPH, LARGE_GRAPH_USES, plan
from symdiff.syntax.parser import parse

HERE = Path(__file__).resolve().parent
FRESH_TARGET_NS = 500_000  # symdiff from a new string: under 0.5 ms
SYMPY_TARGET_RATIO = 20  # ... and at least 20x faster than SymPy
POINTS_PER_BATCH = 64  # distinct points cycled through in the steady-state job

# Our op -> the tool's function, for every op the physics formulas need (and a few more).
FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh")
TORCH_FUNCTIONS = {f: f for f in (*FUNCTIONS, "sinh", "cosh", "asin", "acos", "atan", "abs")}
JAX_FUNCTIONS = {**TORCH_FUNCTIONS, "asin": "arcsin", "acos": "arccos", "atan": "arctan"}

# The families of cases.json timed against the other tools; the generated families (sums,
# products, nesting, networks, Horner) are for bench_symbolic.py and the large-input job.
CORE_FAMILIES = ("textbook", "physics")

WARM_UP_FORMULA = "q*sin(q) + exp(q)/(1 + q^2)"  # unrelated to every case


@dataclass(frozen=True)
class Settings:
    fresh_repeats: int  # symdiff, micrograd-style and PyTorch: one call per repeat
    sympy_repeats: int
    jax_repeats: int
    batches: int  # steady state: median of this many batches
    min_batch_ns: int  # ... each at least this long
    sum_sizes: tuple[int, ...]
    depths: tuple[int, ...]


FULL = Settings(41, 9, 7, 21, 4_000_000, (1_000, 10_000, 100_000), (1_000, 10_000, 100_000))
QUICK = Settings(9, 3, 2, 5, 1_000_000, (1_000, 10_000), (1_000, 10_000))


# --- the tools ---------------------------------------------------------------------------


@dataclass
class Tools:
    """The optional tools that imported, and why the others are skipped."""

    sympy: Any = None
    parse_expr: Any = None
    torch: Any = None
    jax: Any = None
    jnp: Any = None
    skipped: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, without: Sequence[str]) -> Tools:
        tools = cls()
        if "sympy" in without:
            tools.skipped["SymPy"] = "--without sympy"
        else:
            try:
                import sympy
                from sympy.parsing.sympy_parser import parse_expr
            except ImportError as exc:
                tools.skipped["SymPy"] = f"not installed ({exc})"
            else:
                tools.sympy, tools.parse_expr = sympy, parse_expr
        if "torch" in without:
            tools.skipped["PyTorch"] = "--without torch"
        else:
            try:
                import torch
            except ImportError as exc:
                tools.skipped["PyTorch"] = f"not installed ({exc})"
            else:
                torch.set_num_threads(1)  # scalars: threads only add contention
                tools.torch = torch
        if "jax" in without:
            tools.skipped["JAX"] = "--without jax"
        else:
            try:
                import jax
                import jax.numpy as jnp
            except ImportError as exc:
                tools.skipped["JAX"] = f"not installed ({exc})"
            else:
                jax.config.update("jax_enable_x64", True)  # float64, like everyone else
                tools.jax, tools.jnp = jax, jnp
        return tools


MICROGRAD = method_backend("micrograd-style", FUNCTIONS)


@dataclass
class Case:
    """One formula, translated for every tool while symdiff's graph is alive, then dropped."""

    name: str
    text: str
    point: dict[str, float]
    variables: tuple[str, ...]  # symdiff's order
    dag_nodes: int
    reference: list[float]  # symdiff's value and partials, in ``variables`` order
    micrograd: Source | None
    torch: Source | None
    jax: Source | None
    sympy: tuple[str, tuple[str, ...]] | None
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # checks of the set-up that failed

    def points(self, count: int) -> Iterator[dict[str, float]]:
        """Points near the case's point, all different: the steady-state job's inputs."""
        for k in range(count):
            yield {name: value * (1 + 1e-3 * (k + 1)) for name, value in self.point.items()}


def prepare(raw: Mapping[str, Any], tools: Tools) -> Case:
    name, text = raw["name"], raw["expr"]
    point = {k: float(v) for k, v in raw["point"].items()}
    expr = parse(text)
    gradient = symdiff.differentiate(expr, point)
    notes: list[str] = []
    failures: list[str] = []
    backends = {"micrograd": MICROGRAD}
    if tools.torch:
        backends["torch"] = module_backend("PyTorch", "torch", TORCH_FUNCTIONS, tools.torch)
    if tools.jax:
        backends["jax"] = module_backend("JAX", "jnp", JAX_FUNCTIONS, tools.jnp)
    sources: dict[str, Source | None] = {}
    for tool, backend in backends.items():
        try:
            sources[tool] = python_function(expr, backend)
        except Unsupported as exc:
            sources[tool] = None
            notes.append(f"skipped for {backend.name}: {exc}")
    sympy_form = sympy_text(expr) if tools.sympy else None
    # The text given to parse_expr must give exactly the object built from our graph.
    if sympy_form and _sympy_parse(tools, *sympy_form) != sympy_expr(expr, tools.sympy):
        failures.append("SymPy text differs from the graph-built object")
    return Case(
        name=name,
        text=text,
        point=point,
        variables=expr.variables,
        dag_nodes=len(plan(expr).order),
        reference=[gradient.value, *(gradient[v] for v in expr.variables)],
        micrograd=sources["micrograd"],
        torch=sources.get("torch"),
        jax=sources.get("jax"),
        sympy=sympy_form,
        notes=notes,
        failures=failures,
    )


def _sympy_parse(tools: Tools, text: str, names: tuple[str, ...]) -> Any:
    symbols = {f"v{i}": tools.sympy.Symbol(name) for i, name in enumerate(names)}
    return tools.parse_expr(text, local_dict=symbols)


# Each tool's whole job at one point: value and all partials, as the tool's user would ask.


def sympy_fresh(
    tools: Tools, text: str, names: tuple[str, ...], point: Sequence[float]
) -> list[float]:
    """parse_expr, diff for each variable, evalf(subs=point) of the value and each partial."""
    sympy = tools.sympy
    symbols = {f"v{i}": sympy.Symbol(name) for i, name in enumerate(names)}
    expr = tools.parse_expr(text, local_dict=symbols)
    partials = [sympy.diff(expr, s) for s in symbols.values()]
    at = dict(zip(symbols.values(), point, strict=True))
    return [float(e.evalf(subs=at)) for e in (expr, *partials)]


def sympy_lambdified(tools: Tools, text: str, names: tuple[str, ...]) -> Callable[..., Any]:
    """The precomputed gradient as one function of floats (``lambdify``, ``cse=True``)."""
    sympy = tools.sympy
    symbols = {f"v{i}": sympy.Symbol(name) for i, name in enumerate(names)}
    expr = tools.parse_expr(text, local_dict=symbols)
    outputs = [expr, *(sympy.diff(expr, s) for s in symbols.values())]
    return sympy.lambdify(list(symbols.values()), outputs, modules="math", cse=True)


def micrograd_gradient(f: Callable[..., Value], point: Sequence[float]) -> tuple[Any, list[Any]]:
    inputs = [Value(x) for x in point]
    out = f(*inputs)
    out.backward()
    return out.data, [x.grad for x in inputs]


def torch_gradient(
    torch: Any, f: Callable[..., Any], point: Sequence[float]
) -> tuple[Any, list[Any]]:
    inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    out = f(*inputs)
    out.backward()
    return out, [x.grad for x in inputs]


def jax_jit(tools: Tools, f: Callable[..., Any], arity: int) -> Callable[..., Any]:
    jax = tools.jax
    return jax.jit(jax.value_and_grad(f, argnums=tuple(range(arity))))


def as_floats(value: Any, partials: Sequence[Any]) -> list[float]:
    """Answers as floats, for checking (never timed); a torch tensor is detached first."""
    return [_float(value), *(_float(p) for p in partials)]


def _float(x: Any) -> float:
    return float(x.detach()) if hasattr(x, "detach") else float(x)


# --- timing --------------------------------------------------------------------------------


def alive_nodes() -> int:
    return len(symdiff.ir.nodes._interned)


gc.collect()
# Nodes symdiff itself keeps (constants such as 0 and 1); every other node belongs to a formula.
MODULE_NODES = alive_nodes()


def fresh_symdiff_state() -> None:
    """Forget every formula: parse cache cleared, no formula's node left alive."""
    parse.cache_clear()
    gc.collect()  # a Plan refers back to its expression: a cycle only the collector frees
    if alive_nodes() > MODULE_NODES:
        raise RuntimeError(f"{alive_nodes() - MODULE_NODES} nodes survived; not a fresh start")


def timed(call: Callable[[], Any]) -> tuple[int, Any]:
    start = perf_counter_ns()
    result = call()
    return perf_counter_ns() - start, result


@dataclass
class Column:
    """Samples of one tool on one formula (ns per call), and whether its answers matched.

    In the fresh job, ``samples`` are cold (the formula never seen) and ``warm`` the same
    call again with everything the tool keeps from the first (caches, compiled code).
    """

    samples: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    wrong: bool = False

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def warm_median(self) -> float:
        return statistics.median(self.warm)


def run_fresh(case: Case, tools: Tools, settings: Settings) -> dict[str, Column]:
    """Every tool's first computation of this formula."""
    point = float_point(case.variables, case.point)
    columns: dict[str, Column] = {}
    jobs: list[tuple[str, int, Callable[[], tuple[int, list[float]]]]] = []
    # The same computation again, right after the cold runs, with the tool's caches kept.
    warm_calls: dict[str, Callable[[], list[float]]] = {
        "symdiff": lambda: _symdiff_answer(case, case.point),
        "symdiff parse": lambda: case.reference if parse(case.text) is not None else [],
    }

    def symdiff_job() -> tuple[int, list[float]]:
        fresh_symdiff_state()
        elapsed, g = timed(lambda: symdiff.differentiate(case.text, **case.point))
        if alive_nodes() == MODULE_NODES:
            raise RuntimeError("symdiff built no nodes")
        return elapsed, [g.value, *(g[v] for v in case.variables)]

    def parse_job() -> tuple[int, list[float]]:
        fresh_symdiff_state()
        elapsed, expr = timed(lambda: parse(case.text))
        if expr._plan is not None:
            raise RuntimeError("parse returned an expression that was used before")
        return elapsed, case.reference

    jobs += [("symdiff", settings.fresh_repeats, symdiff_job)]
    jobs += [("symdiff parse", settings.fresh_repeats, parse_job)]
    if case.sympy:
        text, names = case.sympy
        sympy_point = float_point(names, case.point)

        def sympy_job() -> tuple[int, list[float]]:
            tools.sympy.core.cache.clear_cache()
            sympy_fresh(tools, "q*sin(q)", ("q",), [0.5])  # warm, but not with this formula
            gc.collect()
            return timed(lambda: sympy_fresh(tools, text, names, sympy_point))

        jobs.append(("SymPy", settings.sympy_repeats, sympy_job))
        warm_calls["SymPy"] = lambda: sympy_fresh(tools, text, names, sympy_point)
    if case.jax:
        source = case.jax

        def jax_job() -> tuple[int, list[float]]:
            f = source.function()  # a new function: nothing cached for it
            tools.jax.clear_caches()
            gc.collect()

            def first_call() -> Any:
                return tools.jax.block_until_ready(jax_jit(tools, f, len(point))(*point))

            elapsed, (value, partials) = timed(first_call)
            return elapsed, as_floats(value, partials)

        jobs.append(("JAX", settings.jax_repeats, jax_job))
        jitted = jax_jit(tools, source.function(), len(point))
        warm_calls["JAX"] = lambda: as_floats(*tools.jax.block_until_ready(jitted(*point)))
    if case.torch:
        torch_source = case.torch

        def torch_job() -> tuple[int, list[float]]:
            f = torch_source.function()
            gc.collect()
            elapsed, (value, partials) = timed(lambda: torch_gradient(tools.torch, f, point))
            return elapsed, as_floats(value, partials)

        jobs.append(("PyTorch", settings.fresh_repeats, torch_job))
        torch_f = torch_source.function()
        warm_calls["PyTorch"] = lambda: as_floats(*torch_gradient(tools.torch, torch_f, point))
    if case.micrograd:
        micrograd_source = case.micrograd

        def micrograd_job() -> tuple[int, list[float]]:
            f = micrograd_source.function()
            gc.collect()
            elapsed, (value, partials) = timed(lambda: micrograd_gradient(f, point))
            return elapsed, as_floats(value, partials)

        jobs.append(("micrograd-style", settings.fresh_repeats, micrograd_job))
        micrograd_f = micrograd_source.function()
        warm_calls["micrograd-style"] = lambda: as_floats(*micrograd_gradient(micrograd_f, point))

    # One tool after the other, its repeats back to back: each run starts from a formula the
    # tool has never seen, but with the tool's own code warm, as in a session that uses it.
    for name, repeats, job in jobs:
        column = columns[name] = Column()
        for _ in range(repeats):
            elapsed, answer = job()
            column.samples.append(elapsed)
            column.wrong |= not agrees(answer, case.reference)
        warm = warm_calls[name]
        for _ in range(2):
            warm()  # symdiff compiles on the second call, JAX jit-compiles on the first
        for _ in range(repeats):
            elapsed, answer = timed(warm)
            column.warm.append(elapsed)
            column.wrong |= not agrees(answer, case.reference)
    fresh_symdiff_state()
    return columns


def agrees(answer: Sequence[float], reference: Sequence[float]) -> bool:
    """Same length and each number close: a short or empty answer is a wrong one."""
    return len(answer) == len(reference) and all(map(close, answer, reference))


def batch_timer(run: Callable[[], None], calls: int, settings: Settings) -> Callable[[], float]:
    """A batch runner for round-robin timing: each call of it times one batch."""
    run()  # warm
    start = perf_counter_ns()
    run()
    once = max(perf_counter_ns() - start, 1)
    repetitions = max(1, math.ceil(settings.min_batch_ns / once))

    def batch() -> float:
        start = perf_counter_ns()
        for _ in range(repetitions):
            run()
        return (perf_counter_ns() - start) / (repetitions * calls)

    return batch


def run_steady(case: Case, tools: Tools, settings: Settings) -> dict[str, Column]:
    """The same gradient at new points, after warm-up: each tool's fastest ordinary use."""
    points = list(case.points(POINTS_PER_BATCH))
    runners: dict[str, Callable[[], None]] = {}
    answers: dict[str, Callable[[], list[float]]] = {}
    text = case.text
    first = points[0]

    def symdiff_run() -> None:
        for p in points:
            symdiff.differentiate(text, **p)

    for _ in range(3):
        symdiff.differentiate(text, **first)  # the second call compiles
    if plan(parse(text)).gradient_code is None:
        print(f"- note: {case.name}: symdiff did not compile the gradient; timed anyway")
    runners["symdiff"] = symdiff_run
    answers["symdiff"] = lambda: _symdiff_answer(case, first)

    if case.micrograd:
        mg = case.micrograd.function()
        mg_points = [float_point(case.micrograd.variables, p) for p in points]

        def micrograd_run() -> None:
            for p in mg_points:
                micrograd_gradient(mg, p)

        runners["micrograd-style"] = micrograd_run
        answers["micrograd-style"] = lambda: as_floats(*micrograd_gradient(mg, mg_points[0]))
    if case.jax:
        jax = tools.jax
        jitted = jax_jit(tools, case.jax.function(), len(case.variables))
        jax_points = [float_point(case.jax.variables, p) for p in points]

        def jax_run() -> None:
            for p in jax_points:
                jax.block_until_ready(jitted(*p))

        runners["JAX"] = jax_run
        answers["JAX"] = lambda: as_floats(*jitted(*jax_points[0]))
    if case.torch:
        tf = case.torch.function()
        torch_points = [float_point(case.torch.variables, p) for p in points]

        def torch_run() -> None:
            for p in torch_points:
                torch_gradient(tools.torch, tf, p)

        runners["PyTorch"] = torch_run
        answers["PyTorch"] = lambda: as_floats(*torch_gradient(tools.torch, tf, torch_points[0]))
    if case.sympy:
        lambdified = sympy_lambdified(tools, *case.sympy)
        sympy_points = [float_point(case.sympy[1], p) for p in points]

        def sympy_run() -> None:
            for p in sympy_points:
                lambdified(*p)

        runners["SymPy lambdify"] = sympy_run
        answers["SymPy lambdify"] = lambda: [float(v) for v in lambdified(*sympy_points[0])]

    expected = answers["symdiff"]()
    batches = {name: batch_timer(run, len(points), settings) for name, run in runners.items()}
    columns = {name: Column() for name in runners}
    for _ in range(settings.batches):
        for name, batch in batches.items():
            columns[name].samples.append(batch())
    for name, answer in answers.items():
        columns[name].wrong = not agrees(answer(), expected)
    return columns


def _symdiff_answer(case: Case, point: Mapping[str, float]) -> list[float]:
    g = symdiff.differentiate(case.text, **point)
    return [g.value, *(g[v] for v in case.variables)]


# --- large inputs --------------------------------------------------------------------------


@dataclass
class Scaling:
    label: str
    n: int
    nodes: int
    parse: float
    first: float  # first use: value or gradient
    second: float | None  # the gradient again, at another point
    compiled_second: bool
    checked: bool


def sum_sin(n: int) -> tuple[str, dict[str, float]]:
    text = "+".join(f"sin(x{i}*x{i + 1})" for i in range(1, n + 1))
    return text, {f"x{i}": 0.5 + 0.5 * math.sin(i) for i in range(1, n + 2)}


def sum_plain(n: int) -> tuple[str, dict[str, float]]:
    return "+".join(f"x{i}" for i in range(1, n + 1)), {f"x{i}": float(i) for i in range(1, n + 1)}


def check_sum_sin(point: Mapping[str, float], g: symdiff.Gradient, n: int) -> bool:
    x = [0.0, *(point[f"x{i}"] for i in range(1, n + 2)), 0.0]
    # d/dx_i = x_{i-1} cos(x_{i-1} x_i) + x_{i+1} cos(x_i x_{i+1}), without the missing ends
    for i in (1, 2, n // 2, n + 1):
        expected = (x[i - 1] * math.cos(x[i - 1] * x[i]) if i > 1 else 0.0) + (
            x[i + 1] * math.cos(x[i] * x[i + 1]) if i <= n else 0.0
        )
        if not close(g[f"x{i}"], expected):
            return False
    return True


def run_sum(
    label: str, build: Callable[[int], tuple[str, dict[str, float]]], n: int, repeats: int
) -> Scaling:
    text, point = build(n)
    other = {name: value * 1.001 for name, value in point.items()}
    parse_ns, first_ns, second_ns = [], [], []
    nodes, checked, compiled = 0, True, False
    for _ in range(repeats):
        fresh_symdiff_state()
        elapsed, expr = timed(lambda: parse(text))
        parse_ns.append(elapsed)
        elapsed, g = timed(lambda e=expr: symdiff.differentiate(e, point))
        first_ns.append(elapsed)
        elapsed, _ = timed(lambda e=expr: symdiff.differentiate(e, other))
        second_ns.append(elapsed)
        nodes = len(plan(expr).order)
        compiled = plan(expr).gradient_code is not None
        if label.startswith("sin"):
            checked &= check_sum_sin(point, g, n)
        else:
            checked &= close(g.value, n * (n + 1) / 2) and all(v == 1.0 for v in g.values())
        del expr, g
    fresh_symdiff_state()
    return Scaling(
        label,
        n,
        nodes,
        statistics.median(parse_ns),
        statistics.median(first_ns),
        statistics.median(second_ns),
        compiled,
        checked,
    )


def run_nested(depth: int, repeats: int) -> list[Scaling]:
    """sin(sin(...sin(x))): parse, then value and gradient each on a freshly parsed graph."""
    text = "sin(" * depth + "x" + ")" * depth
    x = 0.5
    value, derivative = x, 1.0
    for _ in range(depth):
        derivative *= math.cos(value)
        value = math.sin(value)
    rows: list[Scaling] = []
    for job in ("value", "gradient"):
        parse_ns, first_ns = [], []
        checked = True
        for _ in range(repeats):
            fresh_symdiff_state()
            elapsed, expr = timed(lambda: parse(text))
            parse_ns.append(elapsed)
            if job == "value":
                elapsed, result = timed(lambda e=expr: e.evaluate(x=x))
                checked &= close(result, value)
            else:
                elapsed, g = timed(lambda e=expr: symdiff.differentiate(e, x=x))
                checked &= close(g.value, value) and close(float(g), derivative)
                del g
            first_ns.append(elapsed)
            del expr
        fresh_symdiff_state()
        rows.append(
            Scaling(
                f"sin nested, {job}",
                depth,
                depth + 1,
                statistics.median(parse_ns),
                statistics.median(first_ns),
                None,
                False,
                checked,
            )
        )
    return rows


# --- reporting -----------------------------------------------------------------------------


def fmt_time(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.3g}x" if ratio < 100 else f"{ratio:.0f}x"


def cell(
    columns: Mapping[str, Column], name: str, base: float | None = None, warm: bool = False
) -> str:
    column = columns.get(name)
    if column is None:
        return "-"
    median = column.warm_median if warm else column.median
    text = fmt_time(median)
    if base is not None:
        text += f" ({fmt_ratio(median / base)})"
    return text + (" WRONG" if column.wrong else "")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def geomean(values: Sequence[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def fresh_report(cases: Sequence[Case], results: Sequence[dict[str, Column]]) -> str:
    anchors = ["SymPy", "JAX", "PyTorch", "micrograd-style"]
    header = [
        "formula",
        "DAG nodes",
        "symdiff",
        "parse alone",
        *[f"{a} (ratio)" for a in anchors],
    ]
    rows, warm_rows = [], []
    for case, columns in zip(cases, results, strict=True):
        base, warm_base = columns["symdiff"].median, columns["symdiff"].warm_median
        rows.append(
            [
                case.name,
                str(case.dag_nodes),
                cell(columns, "symdiff"),
                cell(columns, "symdiff parse"),
                *(cell(columns, a, base) for a in anchors),
            ]
        )
        warm_rows.append(
            [
                case.name,
                str(case.dag_nodes),
                cell(columns, "symdiff", warm=True),
                cell(columns, "symdiff parse", warm=True),
                *(cell(columns, a, warm_base, warm=True) for a in anchors),
            ]
        )
    lines = ["Cold: the first call on a formula the tool has never seen.", ""]
    lines += [table(header, rows), ""]
    lines += [
        "Warm: the same call again at the same point, with the tool's caches kept (symdiff:"
        " parse cache and compiled gradient; SymPy: its cache; JAX: the jitted function).",
        "",
        table(header, warm_rows),
        "",
    ]
    slowest = max(zip(results, cases, strict=True), key=lambda rc: rc[0]["symdiff"].median)
    met = slowest[0]["symdiff"].median < FRESH_TARGET_NS
    lines.append(
        f"- Target: symdiff under {fmt_time(FRESH_TARGET_NS)} on every formula: "
        f"{'MET' if met else 'MISSED'} (slowest {fmt_time(slowest[0]['symdiff'].median)}, "
        f"{slowest[1].name})"
    )
    lines += summary_lines(cases, results, anchors, {"SymPy": SYMPY_TARGET_RATIO})
    return "\n".join(lines)


def steady_report(cases: Sequence[Case], results: Sequence[dict[str, Column]]) -> str:
    anchors = ["micrograd-style", "JAX", "PyTorch", "SymPy lambdify"]
    header = ["formula", "symdiff", *[f"{a} (ratio)" for a in anchors]]
    rows = []
    for case, columns in zip(cases, results, strict=True):
        base = columns["symdiff"].median
        rows.append(
            [case.name, cell(columns, "symdiff"), *(cell(columns, a, base) for a in anchors)]
        )
    lines = [table(header, rows), ""]
    targets = {"micrograd-style": 1.0, "JAX": 1.0, "PyTorch": 1.0}
    lines += summary_lines(cases, results, anchors, targets)
    return "\n".join(lines)


def summary_lines(
    cases: Sequence[Case],
    results: Sequence[dict[str, Column]],
    anchors: Sequence[str],
    targets: Mapping[str, float],
) -> list[str]:
    lines = []
    for anchor in anchors:
        ratios = [
            (columns[anchor].median / columns["symdiff"].median, case.name)
            for case, columns in zip(cases, results, strict=True)
            if anchor in columns
        ]
        if not ratios:
            if anchor in targets:
                lines.append(f"- Target against {anchor}: not measured ({anchor} skipped)")
            continue
        low, worst = min(ratios)
        high, _ = max(ratios)
        spread = (
            f"{anchor} / symdiff: {fmt_ratio(low)} ({worst}) to {fmt_ratio(high)}, "
            f"geometric mean {fmt_ratio(geomean([r for r, _ in ratios]))}"
        )
        if anchor in targets:
            goal = targets[anchor]
            verdict = "MET" if low > goal else f"MISSED on {sum(r <= goal for r, _ in ratios)}"
            wanted = f"at least {goal:g}x faster" if goal > 1 else "faster"
            lines.append(
                f"- Target: symdiff {wanted} than {anchor} on every formula: {verdict}; {spread}"
            )
        else:
            lines.append(f"- Informational: {spread}")
    return lines


def scaling_report(rows: Sequence[Scaling]) -> str:
    header = [
        "input",
        "n",
        "DAG nodes",
        "parse",
        "value or gradient (1st use)",
        "parse + 1st use",
        "per term or level",
        "gradient again, new point",
        "checked",
    ]
    body = []
    for r in rows:
        again = "-"
        if r.second is not None:
            again = fmt_time(r.second) + (" (compiles)" if r.compiled_second else "")
        body.append(
            [
                r.label,
                f"{r.n:,}",
                f"{r.nodes:,}",
                fmt_time(r.parse),
                fmt_time(r.first),
                fmt_time(r.parse + r.first),
                fmt_time((r.parse + r.first) / r.n),
                again,
                "yes" if r.checked else "NO",
            ]
        )
    return table(header, body)


# --- the machine -----------------------------------------------------------------------------


def environment(tools: Tools) -> list[str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    source = Path(symdiff.__file__).resolve().parent.parent
    commit = _git(source, "rev-parse", "--short", "HEAD") or "unknown"
    dirty = _git(source, "status", "--porcelain", "--", "symdiff", "grammar")
    versions = ", ".join(
        f"{name} {_version(name)}" for name in ("lark", "sympy", "torch", "jax", "jaxlib", "numpy")
    )
    return [
        f"- date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- machine: {_cpus()} CPUs ({cpu}), {memory}; load average at start {_load()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}",
        f"- symdiff {symdiff.__version__} from {source}, commit {commit}"
        + (" with uncommitted changes to symdiff/ or grammar/" if dirty else ""),
        f"- {versions}",
        *(f"- skipped {name}: {why}" for name, why in tools.skipped.items()),
    ]


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 0


def _git(where: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# --- main ----------------------------------------------------------------------------------


def warm_up(tools: Tools) -> None:
    """One-time costs (building Lark's parser, JAX's backend, ...) are not the formula's."""
    expr = parse(WARM_UP_FORMULA)
    for _ in range(3):
        symdiff.differentiate(WARM_UP_FORMULA, q=0.5)
    point = [0.5]
    micrograd_gradient(python_function(expr, MICROGRAD).function(), point)
    if tools.torch:
        backend = module_backend("PyTorch", "torch", TORCH_FUNCTIONS, tools.torch)
        torch_gradient(tools.torch, python_function(expr, backend).function(), point)
    if tools.jax:
        backend = module_backend("JAX", "jnp", JAX_FUNCTIONS, tools.jnp)
        f = python_function(expr, backend).function()
        tools.jax.block_until_ready(jax_jit(tools, f, 1)(*point))
    if tools.sympy:
        sympy_fresh(tools, *sympy_text(expr), point)
        sympy_lambdified(tools, *sympy_text(expr))(*point)
    del expr
    fresh_symdiff_state()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller inputs")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=["sympy", "torch", "jax"],
        help="skip a tool even if it is installed (repeatable)",
    )
    parser.add_argument("--cases", type=Path, default=HERE / "cases.json")
    parser.add_argument("--only", choices=["fresh", "steady", "large"], action="append")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    jobs = set(args.only or ["fresh", "steady", "large"])

    tools = Tools.load(args.without)
    print("# symdiff core benchmark" + (" (--quick)" if args.quick else ""), flush=True)
    print()
    print("\n".join(environment(tools)))
    raw_cases = json.loads(args.cases.read_text())
    cases = [prepare(raw, tools) for raw in raw_cases if raw["family"] in CORE_FAMILIES]
    fresh_symdiff_state()
    warm_up(tools)
    # Everything alive now (modules, tools, cases) is moved out of the collector's way:
    # collections then look only at objects made by the runs themselves.
    gc.freeze()
    print(
        f"- garbage collector: enabled during timing; gc.freeze() after set-up, gc.collect() "
        f"between fresh runs (untimed); torch threads: "
        f"{tools.torch.get_num_threads() if tools.torch else '-'}"
    )
    print(
        f"- repeats: fresh {settings.fresh_repeats} (SymPy {settings.sympy_repeats}, JAX "
        f"{settings.jax_repeats}); steady state: median of {settings.batches} batches of at "
        f"least {fmt_time(settings.min_batch_ns)} over {POINTS_PER_BATCH} points"
    )
    for case in cases:
        for note in case.notes:
            print(f"- note: {case.name}: {note}")

    # Every check that fails is listed at the end and makes the exit status 1.
    failures = [f"{case.name}: {failure}" for case in cases for failure in case.failures]
    if "fresh" in jobs:
        print("\n## 1. Fresh string -> value and gradient (median of one-call runs)\n", flush=True)
        fresh = [run_fresh(case, tools, settings) for case in cases]
        print(fresh_report(cases, fresh), flush=True)
        failures += wrong_answers("fresh", cases, fresh)
    if "steady" in jobs:
        print("\n## 2. Same gradient again at a new point (median per call)\n", flush=True)
        steady = [run_steady(case, tools, settings) for case in cases]
        print(steady_report(cases, steady), flush=True)
        failures += wrong_answers("steady", cases, steady)
    if "large" in jobs:
        print("\n## 3. Large inputs (symdiff alone)\n", flush=True)
        rows: list[Scaling] = []
        for label, build in (("sin(x_i*x_(i+1)) summed", sum_sin), ("x_i summed", sum_plain)):
            for n in settings.sum_sizes:
                rows.append(run_sum(label, build, n, 3 if n >= 100_000 else 5))
        for depth in settings.depths:
            rows += run_nested(depth, 3 if depth >= 100_000 else 5)
        print(scaling_report(rows))
        print(
            f"\nGraphs of {LARGE_GRAPH:,} nodes or more are compiled on their "
            f"{LARGE_GRAPH_USES}th use (smaller ones on their second)."
        )
        failures += [f"large: {r.label}, n = {r.n:,}: wrong" for r in rows if not r.checked]
    print(f"\n- load average at end {_load()}")
    if failures:
        print("\nFAILED checks:\n" + "\n".join(f"- {failure}" for failure in failures))
        return 1
    return 0


def wrong_answers(
    job: str, cases: Sequence[Case], results: Sequence[dict[str, Column]]
) -> list[str]:
    return [
        f"{job}: {case.name}: {name} disagrees with symdiff's reference answer"
        for case, columns in zip(cases, results, strict=True)
        for name, column in columns.items()
        if column.wrong
    ]


if __name__ == "__main__":
    sys.exit(main())
