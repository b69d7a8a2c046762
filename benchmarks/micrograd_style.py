"""A micrograd-style scalar autograd engine: the baseline a Python user could write in an hour.

It follows karpathy/micrograd (``micrograd/engine.py``): every ``Value`` holds ``data`` and
``grad`` and a ``_backward`` closure that pushes its ``grad`` to its inputs with ``+=``, so a
value used twice collects both contributions. Two changes make it a fair opponent: the
topological sort is iterative (micrograd's recursive one fails near depth 1,000), and each
op has its own closure instead of being composed (``a/b`` is not ``a*b**-1``), which saves
nodes and calls. The graph is built anew on every call, as micrograd users do.
"""

from __future__ import annotations

import math


def _no_inputs() -> None:
    pass


class Value:
    """A scalar in a graph of operations; ``backward()`` fills ``grad`` of every input."""

    __slots__ = ("_backward", "_prev", "data", "grad")

    def __init__(self, data: float, _prev: tuple[Value, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self._prev = _prev
        self._backward = _no_inputs

    # --- arithmetic --------------------------------------------------------------------

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other))

        # d/da a/b = 1/b; d/db a/b = -a/b^2 = -out/b
        def _backward() -> None:
            self.grad += out.grad / other.data
            other.grad -= out.data / other.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other: Value | float) -> Value:
        if not isinstance(other, Value):
            exponent = other
            out = Value(self.data**exponent, (self,))

            # d/da a^b = b*a^(b-1)
            def _backward() -> None:
                self.grad += exponent * self.data ** (exponent - 1) * out.grad

            out._backward = _backward
            return out
        out = Value(self.data**other.data, (self, other))

        # d/db a^b = a^b*log(a)
        def _backward_both() -> None:
            self.grad += other.data * self.data ** (other.data - 1) * out.grad
            other.grad += out.data * math.log(self.data) * out.grad

        out._backward = _backward_both
        return out

    def __neg__(self) -> Value:
        out = Value(-self.data, (self,))

        def _backward() -> None:
            self.grad -= out.grad

        out._backward = _backward
        return out

    def __radd__(self, other: float) -> Value:
        return Value(other) + self

    def __rsub__(self, other: float) -> Value:
        return Value(other) - self

    def __rmul__(self, other: float) -> Value:
        return Value(other) * self

    def __rtruediv__(self, other: float) -> Value:
        return Value(other) / self

    def __rpow__(self, other: float) -> Value:
        return Value(other) ** self

    # --- functions ---------------------------------------------------------------------

    def _unary(self, value: float, derivative: float) -> Value:
        out = Value(value, (self,))

        def _backward() -> None:
            self.grad += derivative * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        value = math.exp(self.data)
        return self._unary(value, value)

    def log(self) -> Value:
        return self._unary(math.log(self.data), 1.0 / self.data)

    def sqrt(self) -> Value:
        value = math.sqrt(self.data)
        return self._unary(value, 0.5 / value)

    def sin(self) -> Value:
        return self._unary(math.sin(self.data), math.cos(self.data))

    def cos(self) -> Value:
        return self._unary(math.cos(self.data), -math.sin(self.data))

    def tan(self) -> Value:
        value = math.tan(self.data)
        return self._unary(value, 1.0 + value * value)

    def tanh(self) -> Value:
        value = math.tanh(self.data)
        return self._unary(value, 1.0 - value * value)

    # --- the reverse sweep -------------------------------------------------------------

    def backward(self) -> None:
        """Set ``grad`` of every value this one depends on to d self / d value."""
        # Iterative post-order: a value is listed after everything it was computed from.
        order: list[Value] = []
        visited: set[Value] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if child not in visited)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
