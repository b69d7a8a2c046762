"""How operators are written: one precedence table and one parenthesisation decision.

Every printer (text, LaTeX) asks :func:`needs_parentheses` whether an argument needs
brackets; a printer whose notation binds differently (LaTeX's ``\\frac``, ``e^{x}``) only
says how tightly its own form of a node binds, through the ``level`` it passes in.

The table mirrors the grammar, loosest first: ``sum: sum "+" product``, ``product:
product "*" unary``, ``unary: "-" unary``, ``power: atom "^" unary``. Each operator lists,
per operand, the loosest level that operand may have without brackets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..ir.nodes import Expr

# Levels, loosest first; anything that is not an operator (a call, a name, a number) is ATOM.
SUM = 1
PRODUCT = 2
UNARY = 3
POWER = 4
ATOM = 5


@dataclass(frozen=True)
class Operator:
    """How an op is written as an operator: its symbol, its level, and the loosest level
    each operand may have and still go without parentheses."""

    symbol: str
    precedence: int
    operands: tuple[int, ...]


OPERATORS: dict[str, Operator] = {
    # Left-associative: (a - b) - c is a - b - c, but a - (b - c) keeps its parentheses.
    "add": Operator("+", SUM, (SUM, PRODUCT)),
    "sub": Operator("-", SUM, (SUM, PRODUCT)),
    "mul": Operator("*", PRODUCT, (PRODUCT, UNARY)),
    "div": Operator("/", PRODUCT, (PRODUCT, UNARY)),
    # The grammar reads --x, but -(-x) is the same graph and easier to read.
    "neg": Operator("-", UNARY, (POWER,)),
    # The base is an atom ((-x)^2, (x^y)^z); the exponent may be signed (x^-y, x^y^z).
    "pow": Operator("^", POWER, (ATOM, UNARY)),
}


def precedence(node: Expr) -> int:
    """How tightly ``node`` binds when written as text (SUM ... ATOM)."""
    operator = OPERATORS.get(node.op.key)
    return ATOM if operator is None else operator.precedence


def needs_parentheses(
    parent: Expr, child: Expr, position: int, level: Callable[[Expr], int] = precedence
) -> bool:
    """Whether ``child``, the ``position``-th operand of the operator ``parent``, needs
    parentheses; ``level`` says how tightly the printer's form of ``child`` binds."""
    return level(child) < OPERATORS[parent.op.key].operands[position]
