"""Expression nodes: immutable, interned, compared by identity.

Every node is made through :func:`make`, which returns the existing node when an equal one
is alive (hash-consing). So equal subexpressions are one object, a formula is a DAG, and
``a is b`` is structural equality. Constants are finite and non-negative: ``-2`` is
``neg(2)``, which keeps printing and parsing exact inverses of each other.
"""

from __future__ import annotations

import math
import threading
import weakref
import zlib
from _weakref import _remove_dead_weakref  # type: ignore[attr-defined]
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SymdiffError
from .ops import CONSTANT, OPS, VARIABLE, Op

Number = int | float


class Expr:
    """A node of the expression graph; build with :func:`make`, :func:`constant`, ...

    ``op`` is the operation (``ops.CONSTANT`` and ``ops.VARIABLE`` for leaves), ``args`` the
    argument nodes and ``payload`` the number or variable name of a leaf.
    """

    __slots__ = ("__weakref__", "_built", "_plan", "args", "digest", "op", "payload")

    op: Op
    args: tuple[Expr, ...]
    payload: Number | str | None
    # A structural hash, the same in every run (Python's str hash is not): it gives
    # commutative arguments a deterministic order when expressions are simplified.
    digest: int
    # A cache the evaluator fills on first use (variables, compiled code): never per-call
    # state, and never part of what the node means.
    _plan: Any
    # What the rewrite rules made of this very node, remembered by the simplifier
    # (``simplify.rules.build``): the limits under which building ``op(*args)`` gave the
    # node itself, no rule applying, or None.
    _built: object

    def __setattr__(self, name: str, value: object) -> None:
        if name != "_plan":
            raise AttributeError("expressions are immutable")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("expressions are immutable")

    def __str__(self) -> str:
        return METHODS.text(self)

    def __repr__(self) -> str:
        return METHODS.display(self)

    # Nodes are immutable and interned: a copy is the node itself, and pickling goes
    # through the JSON graph form, which keeps sharing (and so stays linear in the graph).
    def __copy__(self) -> Expr:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Expr:
        return self

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (METHODS.from_json, (METHODS.to_json(self),))

    @property
    def variables(self) -> tuple[str, ...]:
        """The variable names, in order of first appearance."""
        return METHODS.variables(self)

    def evaluate(self, values: Mapping[str, object] | None = None, /, **kw: object) -> float:
        """The value at a point: ``parse("x*y").evaluate(x=2, y=3)`` is ``6.0``."""
        return METHODS.evaluate(self, values, kw)

    def diff(self, var: str | Expr, order: int = 1) -> Expr:
        """The derivative with respect to ``var``, as an expression: ``e.diff("x")``."""
        return METHODS.derivative(self, var, order)

    def to_string(self, cse: bool = False) -> str:
        """The text form; with ``cse=True``, shared subexpressions become ``t1 = ...`` lines."""
        return METHODS.text_with_bindings(self) if cse else METHODS.text(self)

    def to_latex(self) -> str:
        """LaTeX for the expression: ``\\frac{1}{x}`` for ``1/x``."""
        return METHODS.latex(self)

    def _repr_latex_(self) -> str | None:
        # None tells Jupyter to show the repr instead, which is bounded.
        return f"${METHODS.latex(self)}$" if METHODS.displayable(self) else None

    def _repr_svg_(self) -> str | None:
        # Jupyter shows the graph; None (no Graphviz, or a graph too large to read) tells
        # it to fall back to LaTeX or the repr.
        return METHODS.svg(self)

    def to_json(self) -> str:
        """The graph as versioned JSON, sharing kept; read it back with ``symdiff.from_json``."""
        return METHODS.to_json(self)

    def to_dot(self, values: Mapping[str, object] | None = None, gradients: bool = False) -> str:
        """The graph as Graphviz DOT; with ``values``, each node shows its value, and with
        ``gradients=True`` also its adjoint (d expression / d node)."""
        return METHODS.to_dot(self, values, gradients)

    def gradient_at(self, values: Mapping[str, object] | None = None, /, **kw: object) -> Any:
        """The value and every partial derivative at a point (one reverse sweep)."""
        return METHODS.gradient_at(self, values, kw)

    # Arithmetic builds the node the text would parse to: x + 1 is parse("x + 1"), and
    # -2 * x is parse("-2*x"). Numbers are ints (exact) and finite floats.
    def __add__(self, other: Expr | Number) -> Expr:
        return _applied("add", self, other)

    def __radd__(self, other: Number) -> Expr:
        return _applied("add", other, self)

    def __sub__(self, other: Expr | Number) -> Expr:
        return _applied("sub", self, other)

    def __rsub__(self, other: Number) -> Expr:
        return _applied("sub", other, self)

    def __mul__(self, other: Expr | Number) -> Expr:
        return _applied("mul", self, other)

    def __rmul__(self, other: Number) -> Expr:
        return _applied("mul", other, self)

    def __truediv__(self, other: Expr | Number) -> Expr:
        return _applied("div", self, other)

    def __rtruediv__(self, other: Number) -> Expr:
        return _applied("div", other, self)

    def __pow__(self, other: Expr | Number) -> Expr:
        return _applied("pow", self, other)

    def __rpow__(self, other: Number) -> Expr:
        return _applied("pow", other, self)

    def __neg__(self) -> Expr:
        return make(OPS["neg"], (self,))

    def __pos__(self) -> Expr:
        return self


def _operand(value: object) -> Expr | None:
    """An operand of Expr's arithmetic as a node, or None for a type it does not take."""
    if type(value) is Expr:
        return value
    number: Number
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # True is not 1 here; Fractions, strings: not numbers of a formula
    number = int(value) if isinstance(value, int) else float(value)  # NumPy's float64 too
    if type(number) is float and not math.isfinite(number):
        raise SymdiffError(f"a number in an expression is finite, not {number!r}")
    if number < 0 or (number == 0 and math.copysign(1.0, number) < 0):
        return make(OPS["neg"], (constant(-number),))  # -2 is neg(2), as parsed
    return constant(number)


def _applied(key: str, a: object, b: object) -> Expr:
    first, second = _operand(a), _operand(b)
    if first is None or second is None:
        # Python then tries the other operand's method, or raises its TypeError.
        return NotImplemented  # type: ignore[no-any-return]
    return make(OPS[key], (first, second))


def _unregistered(*args: object) -> Any:
    raise RuntimeError("symdiff's layers are not loaded: import symdiff")


class Methods:
    """What ``Expr``'s methods do, supplied by the layers above this one.

    Nodes sit at the bottom of the package, while printing, evaluation and derivatives
    live above them; the upper layers hand their functions down here once, at import
    (``symdiff.api`` does it), so every import points down and ``str(e)`` still works.
    """

    text: Callable[[Expr], str] = _unregistered
    display: Callable[[Expr], str] = _unregistered
    displayable: Callable[[Expr], bool] = _unregistered
    text_with_bindings: Callable[[Expr], str] = _unregistered
    latex: Callable[[Expr], str] = _unregistered
    to_json: Callable[[Expr], str] = _unregistered
    from_json: Callable[[str], Expr] = _unregistered
    variables: Callable[[Expr], tuple[str, ...]] = _unregistered
    evaluate: Callable[[Expr, Mapping[str, object] | None, Mapping[str, object]], float] = (
        _unregistered
    )
    derivative: Callable[[Expr, str | Expr, int], Expr] = _unregistered
    gradient_at: Callable[[Expr, Mapping[str, object] | None, Mapping[str, object]], Any] = (
        _unregistered
    )
    to_dot: Callable[[Expr, Mapping[str, object] | None, bool], str] = _unregistered
    svg: Callable[[Expr], str | None] = _unregistered


METHODS = Methods()


def register_methods(**functions: Callable[..., Any]) -> None:
    """Supply the functions behind ``Expr``'s methods (see :class:`Methods`)."""
    for name, function in functions.items():
        if name not in Methods.__annotations__:
            raise TypeError(f"Expr has no method slot {name!r}")
        setattr(METHODS, name, function)


class _Entry(weakref.ref[Expr]):
    """The intern table's weak reference to a node, holding the node's key so that the
    entry can be dropped when the node dies. A ``weakref.ref`` subclass made in C, where
    ``WeakValueDictionary``'s ``KeyedRef`` runs Python code for every entry."""

    __slots__ = ("key",)
    key: tuple[object, ...]


_interned: dict[tuple[object, ...], _Entry] = {}


def _drop(
    entry: _Entry,
    table: dict[tuple[object, ...], _Entry] = _interned,
    remove: Callable[[dict[tuple[object, ...], _Entry], object], None] = _remove_dead_weakref,
) -> None:
    # Called when a node dies. The key may already hold a newer node's entry: CPython's
    # own helper for WeakValueDictionary deletes it only if it still holds a dead one. The
    # table and the helper are bound here, as WeakValueDictionary binds them, so that nodes
    # dying while the interpreter shuts down (module globals cleared) are still dropped.
    remove(table, entry.key)


# Looking up and inserting are two steps; two threads making the same new node between them
# would make two nodes for one expression, and identity would no longer be equality. Hits,
# by far the common case, need no lock; a miss checks again under it before inserting.
_interning = threading.Lock()

# Setting a slot through its descriptor: Expr's __setattr__ refuses every write.
_set_op = Expr.__dict__["op"].__set__
_set_args = Expr.__dict__["args"].__set__
_set_payload = Expr.__dict__["payload"].__set__
_set_digest = Expr.__dict__["digest"].__set__
_set_plan = Expr.__dict__["_plan"].__set__
# For the simplifier's memory (a layer above): writes the slot ``Expr._built``.
set_built: Callable[[Expr, object], None] = Expr.__dict__["_built"].__set__

_NO_PAYLOAD = type(None)


def existing(op: Op, args: tuple[Expr, ...]) -> Expr | None:
    """The node ``op(*args)`` (no payload) if it exists now, else None; makes nothing."""
    entry = _interned.get((op.key, args, _NO_PAYLOAD, None))
    return None if entry is None else entry()


def make(op: Op, args: tuple[Expr, ...] = (), payload: Number | str | None = None) -> Expr:
    """The node ``op(*args)``; the same object for the same op, arguments and payload."""
    # The payload's type is part of the key: 1, 1.0 and True are equal in Python.
    key = (op.key, args, type(payload), payload)
    entry = _interned.get(key)
    if entry is not None:
        node = entry()
        if node is not None:
            return node
    if len(args) != op.arity:
        raise TypeError(f"{op.key} takes {op.arity} arguments, got {len(args)}")
    with _interning:
        entry = _interned.get(key)
        node = None if entry is None else entry()
        if node is None:
            node = object.__new__(Expr)
            _set_op(node, op)
            _set_args(node, args)
            _set_payload(node, payload)
            _set_digest(node, _digest(op, args, payload))
            _set_plan(node, None)
            set_built(node, None)
            entry = _Entry(node, _drop)
            entry.key = key
            _interned[key] = entry
    return node


_MASK = (1 << 61) - 1
_OP_SEEDS: dict[str, int] = {}


def _digest(op: Op, args: tuple[Expr, ...], payload: Number | str | None) -> int:
    if isinstance(payload, str):
        seed = zlib.crc32(payload.encode())
    else:
        # Numbers hash the same in every run; the type keeps 1 and 1.0 apart.
        seed = 0 if payload is None else hash(payload) * 2 + isinstance(payload, float)
    op_seed = _OP_SEEDS.get(op.key)
    if op_seed is None:
        op_seed = _OP_SEEDS[op.key] = zlib.crc32(op.key.encode()) * 1_000_003
    h = (op_seed + seed) & _MASK
    for arg in args:
        h = (h * 0x100000001B3 + arg.digest) & _MASK
    return h ^ (h >> 29)


def constant(value: Number) -> Expr:
    """A non-negative finite number; ints stay exact."""
    if type(value) not in (int, float):
        raise TypeError(f"a constant is an int or a float, not {type(value).__name__}")
    if value < 0 or (type(value) is float and not math.isfinite(value)):
        raise ValueError(f"constants are finite and non-negative, not {value!r}")
    # -0.0 == 0.0 but is a different key; there is one zero of each type.
    return make(CONSTANT, (), value + 0 if value == 0 else value)


def variable(name: str) -> Expr:
    return make(VARIABLE, (), name)


def is_constant(node: Expr) -> bool:
    return node.op is CONSTANT


def is_variable(node: Expr) -> bool:
    return node.op is VARIABLE
