"""Fixtures shared by the test modules: the deep expression, built once for the session.

Every path must work on a 100,000-deep expression (no recursion anywhere), and each path has
one test at that depth; building the graph is itself a second or so, so it is built once.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from symdiff import Expr
from symdiff.ir.nodes import constant, make, variable
from symdiff.ir.ops import OPS

DEEP = 100_000

# CI runs the same examples every time (a failure there is reproducible, and a run does not
# pass or fail by the luck of the draw); locally Hypothesis explores new examples each run.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
