"""Arrays and compiled points: symdiff's value and whole gradient over 10^6 points beside
plain NumPy, SymPy, PyTorch and JAX; and a compiled point gradient beside SymPy's
lambdify(math) and a straight-line Python function of the value.

    python benchmarks/bench_arrays.py            # 10^6 points, 9 rounds
    python benchmarks/bench_arrays.py --quick    # 10^5 points, 5 rounds
    python benchmarks/bench_arrays.py --points   # the compiled point gradients alone

The formulas are the "physics" family of cases.json. Every variable is an array of the
given size (the case's point times a factor drawn uniformly from 0.9 to 1.1, so every point
stays inside the domain). Columns, each a median over repeats of one call on all points:

- NumPy value: the formula by hand in NumPy, one assignment per shared subexpression
  (``translate.python_function``): the value only, the anchor of every ratio;
- symdiff: ``symdiff.compile(formula)(*arrays)``, value and every partial, its blocks
  shared among one thread per core (the default);
- symdiff 1 thread: the same with ``threads=1``, beside the one-thread tools;
- symdiff numba: the same with ``backend="numba"``: one fused loop over the elements
  (compiled before timing);
- SymPy: ``lambdify(vars, [f, *gradient], "numpy", cse=True)``, value and every partial;
- PyTorch: the formula on tensors with ``requires_grad``, ``.sum().backward()``;
- JAX: ``jit(vmap(value_and_grad(f, argnums=all)))``.

Each ratio is the median over rounds of the tool's time over the NumPy value's time in the
same round (every round calls every tool once), so a change in the machine's load slows
both sides of a ratio alike. Peak memory is tracemalloc's peak during one call (NumPy
reports its buffers to it), less what was allocated before, shown in MB and as a multiple
of the inputs plus the outputs. A tool that does not import gets its column skipped, with a note.
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
import sys
import timeit
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from time import perf_counter
from typing import Any

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np
from translate import module_backend, python_function, sympy_text

import symdiff

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.json"

_FUNCTIONS = ["sin", "cos", "tan", "exp", "log", "sqrt", "sinh", "cosh", "tanh", "abs"]
NUMPY = module_backend("NumPy", "np", {f: f for f in _FUNCTIONS}, np)
MATH = module_backend("math", "math", {f: f for f in _FUNCTIONS if f != "abs"}, __import__("math"))
TORCH_NAMES = {f: f for f in _FUNCTIONS}


def _interleaved(
    jobs: Mapping[str, tuple[Callable[..., Any], tuple[Any, ...]]], anchor: str, repeats: int
) -> tuple[float, dict[str, float]]:
    """The anchor's median seconds, and each job's median ratio to the anchor timed in the
    same round: every round calls every job once, so a machine whose load changes (two
    cores shared here) slows the anchor and the tools alike."""
    rounds: list[dict[str, float]] = []
    for _ in range(repeats):
        times = {}
        for name, (call, args) in jobs.items():
            gc.collect()
            start = perf_counter()
            call(*args)
            times[name] = perf_counter() - start
        rounds.append(times)
    base = statistics.median(r[anchor] for r in rounds)
    ratios = {name: statistics.median(r[name] / r[anchor] for r in rounds) for name in jobs}
    return base, ratios


def _peak_bytes(call: Callable[..., Any], *args: Any) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = call(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    return peak - before


def _point_rounds(
    calls: Mapping[str, Callable[..., Any]], args: Sequence[float], rounds: int = 9
) -> list[dict[str, float]]:
    """Seconds per call of each of ``calls`` in each of ``rounds`` rounds. A round times a
    batch of about 20 ms of each call in turn, so that a change in the machine's speed (it
    drifts by 15 to 20% within an hour) moves both sides of a ratio taken within a round
    alike, as ``_interleaved`` does for arrays."""
    timers = {
        name: timeit.Timer("call(*args)", globals={"call": call, "args": args})
        for name, call in calls.items()
    }
    number = max(1, next(iter(timers.values())).autorange()[0] // 10)
    return [
        {name: timer.timeit(number) / number for name, timer in timers.items()}
        for _ in range(rounds)
    ]


def _optional(name: str, notes: list[str]) -> Any:
    try:
        return __import__(name)
    except ImportError as exc:
        notes.append(f"skipped {name}: not installed ({exc})")
        return None


def _versions() -> str:
    names = ["numpy", "sympy", "torch", "jax", "dask", "numba"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def _sympy_outputs(sympy: Any, expr: symdiff.Expr) -> tuple[list[Any], list[Any]]:
    """The symbols and ``[f, *gradient]`` in SymPy, from our graph (``translate.py``)."""
    text, variables = sympy_text(expr)
    symbols = sympy.symbols([f"v{i}" for i in range(len(variables))])
    names = dict(zip([str(s) for s in symbols], symbols, strict=True))
    f = sympy.parse_expr(text, local_dict=names)
    return symbols, [f, *(sympy.diff(f, s) for s in symbols)]


def _torch_both(value: Callable[..., Any], *tensors: Any) -> Any:
    for t in tensors:
        t.grad = None
    out = value(*tensors)
    out.sum().backward()
    return out, [t.grad for t in tensors]


def _jax_both(jax: Any, both: Callable[..., Any], *arrays: Any) -> Any:
    return jax.block_until_ready(both(*arrays))


def batch_rows(
    cases: Sequence[dict[str, Any]], size: int, repeats: int, notes: list[str]
) -> list[list[str]]:
    sympy = _optional("sympy", notes)
    torch = _optional("torch", notes)
    jax = _optional("jax", notes)
    numba = _optional("numba", notes)
    if torch is not None:
        torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    rows = []
    for case in cases:
        expr = symdiff.parse(case["expr"])
        plain = python_function(expr, NUMPY)
        names = plain.variables
        arrays = [case["point"][n] * rng.uniform(0.9, 1.1, size) for n in names]
        numpy_value = plain.function()
        compiled = symdiff.compile(expr, names)
        value, gradient = compiled(*arrays)  # warm: builds the NumPy program
        assert np.allclose(value, numpy_value(*arrays), rtol=1e-12)
        # Every tool's call, timed round by round (see _interleaved): name -> call, args.
        jobs: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
            "numpy": (numpy_value, tuple(arrays)),
            "symdiff": (compiled, tuple(arrays)),
        }
        alone = symdiff.compile(expr, names, threads=1)
        alone_value, alone_gradient = alone(*arrays)
        assert np.array_equal(alone_value, value)  # the same numbers on any number of threads
        assert all(np.array_equal(a, b) for a, b in zip(alone_gradient, gradient, strict=True))
        jobs["alone"] = (alone, tuple(arrays))
        if numba is not None:
            fused = symdiff.compile(expr, names, backend="numba")
            check_value, check_gradient = fused(*arrays)  # warm: compiles the loop
            assert np.allclose(check_value, value, rtol=1e-12)
            assert np.allclose(check_gradient[0], gradient[0], rtol=1e-9)
            jobs["numba"] = (fused, tuple(arrays))
        if sympy is not None:
            symbols, outputs = _sympy_outputs(sympy, expr)
            lambdified = sympy.lambdify(symbols, outputs, "numpy", cse=True)
            check = lambdified(*arrays)
            assert np.allclose(check[1], gradient[0], rtol=1e-9)
            jobs["sympy"] = (lambdified, tuple(arrays))
        if torch is not None:
            backend = module_backend("PyTorch", "torch", TORCH_NAMES, torch)
            torch_value = python_function(expr, backend).function()
            tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
            _, grads = _torch_both(torch_value, *tensors)
            assert np.allclose(grads[0].numpy(), gradient[0], rtol=1e-9)
            jobs["torch"] = (_torch_both, (torch_value, *tensors))
        if jax is not None:
            jax.config.update("jax_enable_x64", True)
            jnp = __import__("jax.numpy", fromlist=["numpy"])
            backend = module_backend("JAX", "jnp", TORCH_NAMES, jnp)
            jax_value = python_function(expr, backend).function()
            everything = tuple(range(len(names)))
            both = jax.jit(jax.vmap(jax.value_and_grad(jax_value, argnums=everything)))
            jax_arrays = [jnp.asarray(a) for a in arrays]
            _jax_both(jax, both, *jax_arrays)
            jobs["jax"] = (_jax_both, (jax, both, *jax_arrays))
        base, ratios = _interleaved(jobs, "numpy", repeats)
        inputs, in_and_out = 8 * size * len(names), 8 * size * (2 * len(names) + 1)
        peak = _peak_bytes(compiled, *arrays)
        cells = [case["name"], str(len(names)), f"{base * 1e3:.1f}", f"{ratios['symdiff']:.2f}"]
        cells.append(f"{ratios['alone']:.2f}")
        cells.append(f"{peak / 1e6:.0f} ({(peak + inputs) / in_and_out:.2f}x)")
        for tool in ("numba", "sympy", "torch", "jax"):
            cells.append(f"{ratios[tool]:.2f}" if tool in ratios else "-")
        rows.append(cells)
        print(" | ".join(cells), file=sys.stderr)
    return rows


def point_rows(cases: Sequence[dict[str, Any]], notes: list[str]) -> list[list[str]]:
    sympy = _optional("sympy", notes)
    rows = []
    for case in cases:
        expr = symdiff.parse(case["expr"])
        value_source = python_function(expr, MATH)
        names = value_source.variables
        point = [float(case["point"][n]) for n in names]
        value_only = value_source.function()
        compiled = symdiff.compile(expr, names)
        value, gradient = compiled(*point)
        # Each tool's answer is checked before it is timed: the same numbers as the
        # interpreter's (which the test suite holds to SymPy), and as SymPy's lambdify.
        reference = symdiff.differentiate(expr, dict(zip(names, point, strict=True)))
        assert (value, *gradient) == (reference.value, *(reference[n] for n in names)), case
        assert math.isclose(value_only(*point), value, rel_tol=1e-12), case["name"]
        calls: dict[str, Callable[..., Any]] = {"ours": compiled, "value": value_only}
        if sympy is not None:
            symbols, outputs = _sympy_outputs(sympy, expr)
            lambdified = sympy.lambdify(symbols, outputs, "math", cse=True)
            theirs = [float(v) for v in lambdified(*point)]
            assert all(
                math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-300)
                for a, b in zip(theirs, (value, *gradient), strict=True)
            ), case["name"]
            calls["sympy"] = lambdified
        rounds = _point_rounds(calls, point)
        median = {name: statistics.median(r[name] for r in rounds) for name in calls}
        # Ours over each call's time: the median of the rounds' ratios.
        ratio = {name: statistics.median(r["ours"] / r[name] for r in rounds) for name in calls}
        cells = [case["name"], f"{median['ours'] * 1e6:.2f}", f"{median['value'] * 1e6:.2f}"]
        cells.append(f"{ratio['value']:.2f}")
        if sympy is not None:
            cells += [f"{median['sympy'] * 1e6:.2f}", f"{ratio['sympy']:.2f}"]
        else:
            cells += ["-", "-"]
        rows.append(cells)
        print(" | ".join(cells), file=sys.stderr)
    return rows


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _geometric_mean(values: Sequence[float]) -> float:
    return float(np.exp(np.mean(np.log(values)))) if values else float("nan")


def _summary(rows: Sequence[Sequence[str]], column: int) -> str:
    values = [float(row[column]) for row in rows if row[column] != "-"]
    if not values:
        return "-"
    median, mean = statistics.median(values), _geometric_mean(values)
    return f"median {median:.2f}, geometric mean {mean:.2f}, max {max(values):.2f}"


def print_batch(size: int, batch: list[list[str]]) -> None:
    print(f"### Value and whole gradient over {size:,} points (ratios to the NumPy value)")
    print()
    header = [
        "formula",
        "vars",
        "NumPy value ms",
        "symdiff",
        "symdiff 1 thread",
        "symdiff peak MB (x in+out)",
        "symdiff numba",
        "SymPy cse",
        "PyTorch",
        "JAX",
    ]
    print(_table(header, batch))
    print()
    columns = (
        (3, "symdiff"),
        (4, "symdiff 1 thread"),
        (6, "symdiff numba"),
        (7, "SymPy"),
        (8, "PyTorch"),
        (9, "JAX"),
    )
    for column, name in columns:
        print(f"- {name}: {_summary(batch, column)}")
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 points, 5 rounds")
    parser.add_argument(
        "--points", action="store_true", help="the compiled point gradients alone (a minute)"
    )
    args = parser.parse_args(argv)
    size, repeats = (10**5, 5) if args.quick else (10**6, 9)
    cases = [c for c in json.loads(CASES.read_text()) if c["family"] == "physics"]
    notes: list[str] = []
    started = perf_counter()
    batch = [] if args.points else batch_rows(cases, size, repeats, notes)
    points = point_rows(cases, notes)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"- machine: {os.cpu_count()} CPUs, {platform.machine()}; load average at end {load}")
    print(f"- Python {platform.python_version()}, {platform.platform()}")
    print(f"- {_versions()}")
    print(
        f"- {size:,} points, median of {repeats} calls; wall time {perf_counter() - started:.0f} s"
    )
    for note in dict.fromkeys(notes):
        print(f"- {note}")
    print()
    if batch:
        print_batch(size, batch)
    print("### Gradient at one point, compiled (µs per call)")
    print()
    header = [
        "formula",
        "symdiff.compile",
        "Python value",
        "ratio",
        "SymPy lambdify(math, cse)",
        "ratio",
    ]
    print(_table(header, points))
    print()
    print(f"- symdiff / Python value: {_summary(points, 3)}")
    print(f"- symdiff / SymPy: {_summary(points, 5)}")
    for column, line, what in ((3, 3.0, "the value"), (5, 1.5, "SymPy lambdify(math, cse)")):
        values = [float(row[column]) for row in points if row[column] != "-"]
        if values:
            median = statistics.median(values)
            verdict = "MET" if median <= line else "MISSED"
            print(f"- Target: median at most {line}x {what}: {verdict} ({median:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
