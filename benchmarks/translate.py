"""Our parsed graph, rewritten for the tools we compare with.

Every other tool gets the formula from symdiff's own parse, never from our text, so all of
them compute exactly the same thing:

- ``python_function``: a straight-line Python function ``f(x0, x1, ...)`` that computes the
  formula with one backend's operations (micrograd-style ``Value``, ``torch``,
  ``jax.numpy``), as a user of that tool would write it by hand: one assignment per shared
  subexpression, constants written as numbers.
- ``sympy_text``: the formula in SymPy's syntax (``**``, ``E``, ``Abs``), with the variables
  renamed ``v0, v1, ...`` and given to ``parse_expr`` through ``local_dict``. So a variable
  called ``E``, ``I``, ``gamma``, ``beta`` or ``lambda`` never turns into a SymPy constant,
  function or Python keyword, and ``^`` never means XOR.
- ``sympy_expr``: the same SymPy object built directly from our graph (to check the text).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from symdiff.ir.graph import active_nodes, topological_order
from symdiff.ir.nodes import Expr, is_constant, is_variable

INFIX = {"add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}"}
ARITHMETIC = {**INFIX, "neg": "-{0}", "pow": "{0} ** {1}"}


class Unsupported(Exception):
    """The formula uses an operation the backend has no translation for."""


@dataclass(frozen=True)
class Backend:
    """How one tool writes each operation on a value that depends on a variable."""

    name: str
    templates: Mapping[str, str]
    namespace: Mapping[str, Any]


def method_backend(name: str, functions: tuple[str, ...]) -> Backend:
    """Functions called as methods, ``x.sin()``: micrograd's style."""
    templates = {**ARITHMETIC, **{f: "{0}." + f + "()" for f in functions}}
    return Backend(name, templates, {})


def module_backend(name: str, module: str, functions: Mapping[str, str], ns: Any) -> Backend:
    """Functions from a module, ``torch.sin(x)``; ``functions`` maps our op to its name."""
    templates = {**ARITHMETIC, **{op: f"{module}.{f}({{0}})" for op, f in functions.items()}}
    return Backend(name, templates, {module: ns})


@dataclass(frozen=True)
class Source:
    """A generated function and the variable names of its parameters, in order."""

    text: str
    variables: tuple[str, ...]
    namespace: Mapping[str, Any]

    def function(self) -> Callable[..., Any]:
        """A new function object each time (JAX caches compilations per function)."""
        namespace = dict(self.namespace)
        exec(compile(self.text, "<benchmark formula>", "exec"), namespace)
        function: Callable[..., Any] = namespace["f"]
        return function


def _literal(value: float) -> str:
    """A number as a user writes it: integers without a point, negatives in parentheses."""
    text = repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return f"({text})" if value < 0 else text


def python_function(expr: Expr, backend: Backend) -> Source:
    """``def f(x0, x1, ...)`` computing ``expr`` with ``backend``'s operations.

    Subexpressions without variables are folded into numbers, as one would write ``1.5`` for
    ``3/2``; every other node becomes one assignment.
    """
    order = topological_order([expr])
    active = active_nodes(order)
    variables = [node for node in order if is_variable(node)]
    code: dict[Expr, str] = {node: f"x{i}" for i, node in enumerate(variables)}
    numbers: dict[Expr, float] = {}
    lines: list[str] = []
    for node in order:
        if node in code:
            continue
        if node not in active:
            arguments = [numbers[arg] for arg in node.args]
            value = float(node.payload if is_constant(node) else node.op.numeric(*arguments))
            numbers[node] = value
            code[node] = _literal(value)
            continue
        template = backend.templates.get(node.op.key)
        if template is None:
            raise Unsupported(f"{backend.name} has no {node.op.name}")
        lines.append(f"    t{len(lines)} = " + template.format(*(code[a] for a in node.args)))
        code[node] = f"t{len(lines) - 1}"
    parameters = ", ".join(f"x{i}" for i in range(len(variables)))
    text = "\n".join([f"def f({parameters}):", *lines, f"    return {code[expr]}", ""])
    names = tuple(str(node.payload) for node in variables)
    return Source(text, names, backend.namespace)


# --- SymPy -----------------------------------------------------------------------------

# Our op key -> SymPy's name, where they differ or are not plain function calls.
_SYMPY_NAMES = {"abs": "Abs", "log_base": "log", "min": "Min", "max": "Max", "ln": "log"}
_SYMPY_CONSTANTS = {"pi": "pi", "e": "E"}


def sympy_text(expr: Expr) -> tuple[str, tuple[str, ...]]:
    """The formula in SymPy syntax over ``v0, v1, ...``, and the original variable names.

    Every compound argument is parenthesized, so no precedence question arises.
    """
    order = topological_order([expr])
    text: dict[Expr, str] = {}
    variables: list[str] = []
    for node in order:
        key = node.op.key
        if is_variable(node):
            text[node] = f"v{len(variables)}"
            variables.append(str(node.payload))
        elif is_constant(node):
            text[node] = repr(node.payload)
        elif key in _SYMPY_CONSTANTS:
            text[node] = _SYMPY_CONSTANTS[key]
        else:
            args = [text[a] if not a.args else f"({text[a]})" for a in node.args]
            if key in ARITHMETIC:
                text[node] = ARITHMETIC[key].format(*args)
            else:
                text[node] = f"{_SYMPY_NAMES.get(key, key)}({', '.join(args)})"
    return text[expr], tuple(variables)


def sympy_expr(expr: Expr, sympy: Any) -> Any:
    """The SymPy object for ``expr``, built node by node (no text involved)."""
    arithmetic: dict[str, Callable[..., Any]] = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "neg": lambda a: -a,
        "pow": lambda a, b: a**b,
    }
    result: dict[Expr, Any] = {}
    for node in topological_order([expr]):
        key = node.op.key
        if is_variable(node):
            result[node] = sympy.Symbol(str(node.payload))
        elif is_constant(node):
            result[node] = sympy.sympify(node.payload)
        elif key in _SYMPY_CONSTANTS:
            result[node] = {"pi": sympy.pi, "e": sympy.E}[key]
        else:
            function = arithmetic.get(key) or getattr(sympy, _SYMPY_NAMES.get(key, key))
            result[node] = function(*(result[a] for a in node.args))
    return result[expr]


def float_point(variables: tuple[str, ...], point: Mapping[str, float]) -> list[float]:
    return [float(point[name]) for name in variables]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
