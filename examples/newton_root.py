"""Root finding with Newton's method and the exact derivative.

Newton's own example, x^3 - 2x - 5 = 0, from x = 2; then a system of two equations,
the intersection of the circle x^2 + y^2 = 4 and the hyperbola xy = 1, where each step
solves with the Jacobian. Run: python examples/newton_root.py
"""

from __future__ import annotations

import symdiff

root = symdiff.newton("x^3 - 2*x - 5", x=2)
print(root)
print(f"root: x = {root.point['x']!r} after {root.iterations} iterations")
print()

system = symdiff.newton(["x^2 + y^2 - 4", "x*y - 1"], x=2, y=0.5)
print(system)
print()

# A root that does not exist: x^2 + 1 = 0 has none, and at x = 0 the derivative vanishes.
print(symdiff.newton("x^2 + 1", x=0).reason)
