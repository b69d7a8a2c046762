"""Fixtures shared by the test modules: the deep expression, built once for the session.

Every path must work on a 100,000-deep expression (no recursion anywhere), and each path has
one test at that depth; building the graph is itself a second or so, so it is built once.
"""

from __future__ import annotations

import gc
import os

import pytest
from hypothesis import settings

from symdiff import Expr
from symdiff.ir.nodes import constant, make, variable
from symdiff.ir.ops import OPS

DEEP = 100_000

# CI runs the same examples every time (a failure there is reproducible, and a run does not
# pass or fail by the luck of the draw), at most strategies.CI_EXAMPLES per property; locally
# Hypothesis explores new examples each run, as many as each test's budget.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: one of the longest tests (seconds); runs first")


def pytest_collection_finish(session: pytest.Session) -> None:
    """The cyclic garbage collector, tuned for the run once the tests are collected.

    The suite makes millions of small objects the collector tracks (nodes, SymPy's
    expressions, Hypothesis' examples), and by default it scans the young ones every 700
    allocations, and everything every 100 of those scans. What was built before the tests
    start (NumPy, SymPy, Hypothesis, the test modules) is moved out of its way
    (``gc.freeze``), and it runs a fiftieth as often: the suite takes 10-15% less CPU
    (152 s -> 136-143 s on 2 workers). Graphs hold no cycles, so memory is the same.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first, in their order, then the rest in theirs.

    pytest-xdist hands tests to the workers in this order: the longest then start at once,
    while the short ones fill in around them, and the run does not end with one worker
    still busy with a long test the other finished its share long before.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def deep_chain(depth: int = DEEP) -> Expr:
    """sin(x + 1) nested: ``depth`` nodes above x, alternating +1 and sin (x + 1 innermost)."""
    node, one = variable("x"), constant(1)
    for i in range(depth):
        node = make(OPS["sin"], (node,)) if i % 2 else make(OPS["add"], (node, one))
    return node


@pytest.fixture(scope="session")
def deep_expression() -> Expr:
    """``deep_chain()``, 100,000 deep: nodes are immutable, so tests may share it."""
    return deep_chain()
