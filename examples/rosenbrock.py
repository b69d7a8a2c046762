"""Minimising Rosenbrock's banana function from the classic start (-1.2, 1).

symdiff.minimize takes Newton steps with the exact gradient and Hessian and a line
search. With SciPy installed, the same formula goes to scipy.optimize.minimize with the
exact derivatives, beside SciPy's default (BFGS with finite-difference gradients).
Run: python examples/rosenbrock.py
"""

from __future__ import annotations

import symdiff

ROSENBROCK = "(1-x)^2 + 100*(y-x^2)^2"

result = symdiff.minimize(ROSENBROCK, x=-1.2, y=1)
print(result)
print()
print(f"{'method':<36} {'iterations':>10} {'evaluations':>12}")
print(f"{'symdiff newton (line search)':<36} {result.iterations:>10} {result.evaluations:>12}")

try:
    import scipy.optimize
except ImportError:
    print("(install SciPy to compare with scipy.optimize.minimize)")
else:
    f = symdiff.parse(ROSENBROCK)
    default = scipy.optimize.minimize(lambda v: f.evaluate(x=v[0], y=v[1]), [-1.2, 1])
    print(f"{'scipy BFGS, finite differences':<36} {default.nit:>10} {default.nfev:>12}")
    for method in ("BFGS", "trust-exact"):
        exact = symdiff.minimize(ROSENBROCK, x=-1.2, y=1, method=method)
        name = f"scipy {method}, exact derivatives"
        print(f"{name:<36} {exact.iterations:>10} {exact.evaluations:>12}")
