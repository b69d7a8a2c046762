"""The two textbook cases of reverse-mode differentiation, worked with symdiff's public API.

1. The chain rule: d/dx sin(log x) = cos(log x) / x, at x = 2.
2. A shared node: z = sin(xy) + cos(xy) at x = 2, y = 3. Both terms use r = xy, and the
   graph holds r once. In the reverse sweep the adjoint of r is the sum of what flows back
   from each branch, dz/dr = cos r - sin r; the chain rule then carries it to the inputs,
   dz/dx = dz/dr * y and dz/dy = dz/dr * x.

The numbers printed come from ``symdiff.explain``, which records the steps while symdiff's
own reverse sweep runs. Run it with ``python examples/quickstart.py``; it checks the
recorded steps against the textbook's hand computations and exits with an error if they
disagree.
"""

from __future__ import annotations

import math

import symdiff


def check(name: str, by_hand: float, by_symdiff: float) -> None:
    if not math.isclose(by_hand, by_symdiff, rel_tol=1e-12):
        raise SystemExit(f"{name}: by hand {by_hand!r}, symdiff {by_symdiff!r}")


def chain_rule() -> None:
    x = 2.0
    explanation = symdiff.explain("sin(log(x))", x=x)
    log_x, _ = explanation.forward_steps  # r = log(x), z = sin(r)
    (into_log,) = explanation.backward_steps[1].paths  # dz/dr = cos(r)
    (into_x,) = explanation.backward_steps[2].paths  # dr/dx = 1/x
    value, derivative = explanation.value, explanation.partials["x"]
    print("1. f(x) = sin(log(x)) at x = 2")
    print(f"   f(2)  = sin(log 2)          = {value:.6f}")
    print(f"   f'(2) = cos(log 2)/2        = {into_log.local * into_x.local:.6f}")
    gradient = symdiff.differentiate("sin(log(x))", x=x)
    print(f"   symdiff: value {gradient.value:.6f}, d/dx {float(gradient):.6f}")
    check("log 2", math.log(x), log_x.value)
    check("f(2)", math.sin(math.log(x)), value)
    check("f'(2)", math.cos(math.log(x)) / x, derivative)
    check("f'(2) by the sweep", float(gradient), derivative)


def shared_node() -> None:
    x, y = 2.0, 3.0
    expr = symdiff.parse("sin(x*y) + cos(x*y)")
    sine, cosine = expr.args
    # Equal subexpressions are one object: both branches hold the same node r = x*y.
    shared = sine.args[0] is cosine.args[0]

    # The worked example, recorded while symdiff's own reverse sweep runs.
    explanation = symdiff.explain(expr, x=x, y=y)
    steps = {step.name: step for step in explanation.forward_steps}
    names = {step.node: step.name for step in explanation.forward_steps}
    r = steps["r"].value
    z = explanation.value
    into_r = next(step for step in explanation.backward_steps if step.name == "r")
    from_branch = {names[path.consumer]: path.value for path in into_r.paths}
    from_sine = from_branch[names[sine]]  # dz/ds * d/dr sin(r)
    from_cosine = from_branch[names[cosine]]  # dz/dt * d/dr cos(r)
    dz_dr = explanation.adjoints["r"]  # the two contributions add up at r
    dz_dx, dz_dy = explanation.partials["x"], explanation.partials["y"]

    gradient = symdiff.differentiate(expr, x=x, y=y)
    print()
    print(f"2. z = {expr} at x = 2, y = 3")
    print(f"   r = {sine.args[0]} is one node, used by sin(r) and cos(r): {shared}")
    print(f"   r = xy                      = {r:g}")
    print(f"   z = sin r + cos r           = {z:.6f}  (about {z:.3f}; the textbook shows 0.69)")
    print("   the reverse sweep, from z back to r:")
    print(f"     from sin(r): dz/dr += cos r  = {from_sine:+.6f}")
    print(f"     from cos(r): dz/dr += -sin r = {from_cosine:+.6f}")
    print(f"     dz/dr = cos r - sin r        = {dz_dr:+.6f}")
    print("   and from r to the inputs:")
    print(f"     dz/dx = dz/dr * y            = {dz_dx:.6f}")
    print(f"     dz/dy = dz/dr * x            = {dz_dy:.6f}")
    print(f"   symdiff: value {gradient.value:.6f}, ", end="")
    print(f"dz/dx {gradient['x']:.6f}, dz/dy {gradient['y']:.6f}")
    # By hand: the textbook's own arithmetic, against the recorded steps.
    check("r", x * y, r)
    check("z", math.sin(x * y) + math.cos(x * y), z)
    check("from sin(r)", math.cos(x * y), from_sine)
    check("from cos(r)", -math.sin(x * y), from_cosine)
    check("dz/dr", math.cos(x * y) - math.sin(x * y), dz_dr)
    check("dz/dx", dz_dr * y, gradient["x"])
    check("dz/dy", dz_dr * x, gradient["y"])
    if not shared:
        raise SystemExit("x*y should be one shared node")
    print("   the whole explanation, as symdiff.explain prints it:")
    print("\n".join(f"   | {line}" for line in str(explanation).splitlines()))
    print("   by hand and symdiff agree")


if __name__ == "__main__":
    chain_rule()
    shared_node()
