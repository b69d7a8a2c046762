"""A function and its derivative, sampled and (with matplotlib) plotted.

f(x) = x*sin(x) and f'(x) = sin(x) + x*cos(x), from symdiff.derivative. With matplotlib
installed the plot is saved to derivative.png (no window opens); without, a table of
values is printed either way. Run: python examples/plot_derivative.py
"""

from __future__ import annotations

import math

import symdiff

f = symdiff.parse("x*sin(x)")
df = symdiff.derivative(f, "x")
print(f"f(x) = {f}")
print(f"f'(x) = {df}")

xs = [i * 2 * math.pi / 8 for i in range(9)]
for x in xs:
    print(f"x = {x:6.3f}   f = {f.evaluate(x=x):+8.4f}   f' = {df.evaluate(x=x):+8.4f}")

try:
    import matplotlib

    matplotlib.use("Agg")  # draw to a file: no display needed
    import matplotlib.pyplot as plt
except ImportError:
    print("(install matplotlib to save the plot)")
else:
    grid = [i * 2 * math.pi / 400 for i in range(401)]
    plt.plot(grid, [f.evaluate(x=x) for x in grid], label=f"f(x) = {f}")
    plt.plot(grid, [df.evaluate(x=x) for x in grid], label=f"f'(x) = {df}")
    plt.axhline(0, color="grey", linewidth=0.5)
    plt.legend()
    plt.savefig("derivative.png")
    print("saved derivative.png")
