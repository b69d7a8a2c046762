"""Many threads at once: interning, the parse cache and the numeric paths agree with one
thread. A tiny switch interval makes the interpreter change threads between almost any two
bytecodes, so a check-then-insert race shows up in a few thousand calls."""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import symdiff
from symdiff.ir.nodes import make, variable
from symdiff.ir.ops import OPS
from symdiff.simplify import rules
from symdiff.syntax.parser import parse_uncached

THREADS = 8
FORMULAS = [f"sin(a{i}*b{i}) + a{i}^2*b{i} - log(1 + b{i}^2)" for i in range(600)]


@pytest.fixture
def tiny_switch_interval() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def _in_threads(work: Callable[[int], list[object]]) -> list[list[object]]:
    results: list[list[object]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            results[k] = work(k)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def _as_one_thread_gave(work: Callable[[int], list[object]], expected: list[Any]) -> None:
    """Each ``(i, answer)`` every thread's ``work`` gave is ``expected[i]``, what one
    thread gave for formula i."""
    for result in _in_threads(work):
        for item in result:
            assert isinstance(item, tuple)
            i, got = item
            assert got == expected[i], FORMULAS[i]


@pytest.mark.slow
@pytest.mark.usefixtures("tiny_switch_interval")
def test_interning_is_atomic_across_threads() -> None:
    # New nodes made in a different order by each thread: every thread must get the very
    # same node for the same expression.
    count = 20_000

    def work(k: int) -> list[object]:
        made: list[object] = [None] * count
        for i in random.Random(k).sample(range(count), count):
            made[i] = make(OPS["sin"], (variable(f"fresh{i}"),))
        return made

    results = _in_threads(work)
    for i in range(count):
        assert all(result[i] is results[0][i] for result in results), i
    node = results[0][7]
    assert isinstance(node, symdiff.Expr)
    assert parse_uncached(str(node)) is node


@pytest.mark.slow
@pytest.mark.usefixtures("tiny_switch_interval")
def test_parse_and_differentiate_in_threads_agree_with_one_thread() -> None:
    points = [{"a" + str(i): 0.5 + i / 100, "b" + str(i): 1.5 - i / 1000} for i in range(600)]

    def one(i: int) -> tuple[float, ...]:
        g = symdiff.differentiate(FORMULAS[i], points[i])
        return (g.value, *g.values())

    expected = [one(i) for i in range(len(FORMULAS))]
    symdiff.syntax.parser.parse.cache_clear()  # type: ignore[attr-defined]

    def work(k: int) -> list[object]:
        rng = random.Random(k)
        calls = [rng.randrange(len(FORMULAS)) for _ in range(600)]
        return [(i, one(i)) for i in calls]

    _as_one_thread_gave(work, expected)


def test_the_parse_cache_is_bounded_by_length() -> None:
    cache = symdiff.syntax.parser.ParseCache(max_entries=100, max_characters=4000)
    long_text = "+".join(f"x{i}" for i in range(400))  # over a quarter of the budget
    assert cache.parse(long_text) is cache.parse(long_text)
    assert cache.cache_info().entries == 0
    for i in range(300):
        cache.parse(f"sin(x{i}) + {i}")
    info = cache.cache_info()
    assert info.characters <= 4000 and info.entries <= 100
    # The most recent texts are the ones kept.
    hits = info.hits
    cache.parse("sin(x299) + 299")
    assert cache.cache_info().hits == hits + 1


@pytest.mark.usefixtures("tiny_switch_interval")
def test_symbolic_work_in_threads_leaves_no_split_remembered() -> None:
    # Each build, sweep and search for a form marks itself open while it runs, in one
    # shared list (simplify/rules.py): however the threads interleave, the marks balance,
    # the last to close empties the memo of splits (which would otherwise keep up to
    # 65,536 splits and their nodes alive), and the results are one thread's.
    formulas = [symdiff.parse(f) for f in FORMULAS[:60]]

    def one(i: int) -> str:
        return str(symdiff.hessian(formulas[i]))

    expected = [one(i) for i in range(len(formulas))]

    def work(k: int) -> list[object]:
        order = random.Random(k).sample(range(len(formulas)), len(formulas))
        return [(i, one(i)) for i in order]

    _as_one_thread_gave(work, expected)
    assert rules._OPEN == []
    assert rules._SPLITS == {}
