"""The textbook cases, end to end; the detailed suites live beside this file."""

import math

import symdiff


def test_chain_rule_textbook() -> None:
    g = symdiff.differentiate("sin(log(x))", x=2)
    assert math.isclose(g.value, math.sin(math.log(2)))
    assert math.isclose(float(g), math.cos(math.log(2)) / 2)


def test_shared_node_gets_gradient_from_both_branches() -> None:
    g = symdiff.differentiate("sin(x*y)+cos(x*y)", x=2, y=3)
    r = 6.0
    assert math.isclose(g.value, math.sin(r) + math.cos(r))
    assert math.isclose(g["x"], 3 * (math.cos(r) - math.sin(r)))
    assert math.isclose(g["y"], 2 * (math.cos(r) - math.sin(r)))
