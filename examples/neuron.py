"""A single neuron, tanh(w1*x1 + w2*x2 + b), trained by gradient descent from a string.

The loss over four examples of logical AND (targets -1 and 1) is one formula; symdiff
differentiates it with respect to the weights in one reverse sweep per step. The
neuron's output is the same formula with the trained weights put in.
Run: python examples/neuron.py
"""

from __future__ import annotations

import symdiff

DATA = [((0, 0), -1), ((0, 1), -1), ((1, 0), -1), ((1, 1), 1)]
NEURON = "tanh(w1*{x1} + w2*{x2} + b)"
# The mean squared error, written out: one term per example.
LOSS = " + ".join(f"({NEURON.format(x1=x1, x2=x2)} - ({t}))^2" for (x1, x2), t in DATA)
loss = symdiff.parse(f"({LOSS})/{len(DATA)}")

weights = {"w1": 0.1, "w2": -0.1, "b": 0.0}
rate = 0.5
for step in range(201):
    gradient = symdiff.differentiate(loss, weights)
    if step % 50 == 0:
        print(f"step {step:3}: loss {gradient.value:.6f}")
    weights = {name: w - rate * gradient[name] for name, w in weights.items()}

print("weights:", ", ".join(f"{name} = {w:.4f}" for name, w in weights.items()))
for (x1, x2), target in DATA:
    output = symdiff.parse(NEURON.format(x1=x1, x2=x2)).evaluate(weights)
    print(f"AND({x1}, {x2}) = {target:+d}: neuron {output:+.3f}")
