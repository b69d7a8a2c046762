"""Measuring g with a pendulum, and how sure we can be of it.

A pendulum of length L = 0.9935 m ± 0.5 mm swings with period T = 2.000 s ± 2 ms. For
small swings T = 2 pi sqrt(L/g), so g = 4 pi^2 L / T^2. symdiff.propagate gives g, its
combined standard uncertainty (first order, as in the GUM) and the budget: how much of the
uncertainty comes from L and how much from T. Run: python examples/pendulum_uncertainty.py
"""

from __future__ import annotations

import symdiff

result = symdiff.propagate("4*pi^2*L/T^2", L=(0.9935, 0.0005), T=(2.000, 0.002))
print(result)
print()
# T enters squared, so its relative uncertainty counts twice: the period dominates.
share_T = result.contributions["T"].share
print(f"g = {result.value:.4f} ± {result.uncertainty:.4f} m/s^2")
print(f"the period contributes {share_T:.1%} of the variance")
