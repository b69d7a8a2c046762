"""Compiled functions: an expression's value and derivatives as one generated program.

``symdiff.compile(expr, variables, order=...)`` writes reverse mode out as straight-line
code (``codegen/program.py``): the forward pass, then the adjoint pass, an assignment per
step (a step used once is written where it is used). Order 2 adds a reverse sweep over
each symbolic partial d f / d v_i, asking only for v_j with j >= i, so each Hessian entry
is computed once and mirrored. A list of expressions shares one forward pass and gets one
sweep per row of the Jacobian.

Floats in run the float program (``codegen/python.py``, under the numeric policy of
``diff/algebra.py``): where it gives up, the checked interpreter answers or raises the
``DomainError`` a single point always raises. Arrays in run the NumPy program
(``codegen/numpy.py``) under the array domain policy of ``numeric/arrays.py``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..codegen.program import Sweep, straight_line
from ..codegen.python import (
    SUMMED_TOGETHER,
    CodeAlgebra,
    arrange,
    define,
    finiteness_check,
)
from ..diff.reverse import StepFailed
from ..diff.symbolic import gradient, variable_name
from ..errors import SymdiffError, ValuesError
from ..ir.graph import topological_order, variable_names
from ..ir.nodes import Expr, is_variable, variable
from ..syntax.parser import as_expr, as_exprs
from .arrays import (
    ArrayProgram,
    argument,
    build,
    check_backend,
    check_errors,
    check_threads,
    is_array,
    run,
)
from .evaluate import interpret_value, plan, value_and_gradient

# A value the caller did not give (the generated function's parameters default to it).
_MISSING = object()

# Up to this many variables, the generated function names each as a parameter and checks
# their types in one chained comparison (the fastest call for a few values); beyond it, it
# takes ``*given`` and compares the tuple of their types with one of floats, in C (a
# 10,001-variable gradient: 0.14 ms for the check instead of 0.4 ms).
_NAMED_PARAMETERS = 32

# Up to this many lines, the source names intermediates t0, t1, ... in order.
_NUMBERED_LINES = 1000


class Program:
    """What a :class:`Compiled` runs: the generated float program (``entry``, its source in
    ``source``), and the ways it hands a call on when floats are not enough."""

    def __init__(
        self,
        exprs: Expr | str | Sequence[Expr | str],
        variables: Iterable[str | Expr] | None = None,
        *,
        order: int = 1,
        backend: str = "numpy",
        threads: int | None = None,
    ) -> None:
        if isinstance(exprs, str | Expr):
            self.many, roots = False, [as_expr(exprs)]
        else:
            self.many, roots = True, as_exprs(exprs, "compile")
            if not roots:
                raise SymdiffError("compile takes a formula or a list of at least one")
        if isinstance(order, bool) or order not in (0, 1, 2):
            raise SymdiffError(f"order is 0, 1 or 2, not {order!r}")
        if self.many and order == 2:
            raise SymdiffError("order 2 (a Hessian) needs one expression, not a list")
        self.order = order
        self.backend = check_backend(backend)
        self.threads = threads if threads is None else check_threads(threads)
        self.roots = tuple(roots)
        self.variables = _variables(roots, variables)
        nodes = tuple(variable(name) for name in self.variables)
        self._nodes = nodes
        self.sweeps: list[Sweep] = []
        if self.many or order >= 1:
            self.sweeps = [Sweep(root, nodes) for root in roots]
        if order == 2:
            partials = gradient(roots[0], self.variables)
            self.partials = [partials[name] for name in self.variables]
            self.sweeps += [Sweep(p, nodes[i:]) for i, p in enumerate(self.partials)]
        algebra = CodeAlgebra(inputs_checked=False)
        try:
            program = straight_line(algebra, roots, nodes, self.sweeps)
        except StepFailed as failure:
            # A partial that exists nowhere (polygamma's in its order n): the rule's error.
            if isinstance(failure.cause, SymdiffError):
                raise failure.cause from None
            raise
        texts = [*program.values, *(t for partials in program.partials for t in partials)]
        result = self._shape(program.values, program.partials)
        parameters = [f"x{i}" for i in range(len(nodes))]
        # Non-finite inputs are caught by the finiteness check, like intermediates: a program
        # that reads inf or nan gives up (or raises), and retry sorts out why.
        gradient_row = program.partials[0] if self.order == 1 and not self.many else []
        if len(gradient_row) <= SUMMED_TOGETHER:
            tail = [*finiteness_check(algebra, texts, parameters), result]
        else:
            # A long gradient is one tuple, checked by sum in C, then returned as it is.
            together = ("_gradient", gradient_row)
            tail = [
                f"_gradient = ({''.join(f'{text}, ' for text in gradient_row)})",
                *finiteness_check(algebra, texts, parameters, together),
                f"({program.values[0]}, _gradient, )",
            ]
        # Small programs are numbered in order, to be read; large ones give a dead value's
        # name to the next (a frame of the values alive at once runs about twice as fast).
        numbered = len(program.lines) <= _NUMBERED_LINES
        lines, (*check, result) = arrange(program.lines, tail, numbered)
        # Anything but floats (arrays, ints, too few or too many values) goes to general;
        # a step that fails or a result that is not finite to retry. A missing value is
        # the sentinel _missing, so that general can say how many were given.
        general, retry = algebra.bind("general", self.general), algebra.bind("retry", self.retry)
        algebra.bind("missing", _MISSING)
        values = f"({''.join(f'{x}, ' for x in parameters)})"
        if len(parameters) <= _NAMED_PARAMETERS:
            floats = " is ".join(f"type({x})" for x in parameters)
            given = f"({''.join(f'{x}, ' for x in parameters)}*more,)"
            slash = "/, " if parameters else ""
            head = [
                f"def compiled({''.join(f'{x}=_missing, ' for x in parameters)}{slash}*more, "
                'errors="warn", **named):',
                f"    if more or named or not ({floats} is float):"
                if parameters
                else "    if more or named:",
                f"        return {general}({given}, errors, named)",
            ]
        else:
            # Many values: their types are compared at C speed, as one tuple (a wrong
            # count differs too), then unpacked.
            floats = algebra.bind("floats", (float,) * len(parameters))
            head = [
                'def compiled(*given, errors="warn", **named):',
                f"    if tuple(map(type, given)) != {floats} or named:",
                f"        return {general}(given, errors, named)",
                f"    {values} = given",
            ]
        self.source = "\n".join(
            [
                *head,
                "    try:",
                *(f"        {line}" for line in [*lines, *check]),
                "    except (ArithmeticError, ValueError):",
                f"        return {retry}({values}, errors)",
                f"    return {result}",
            ]
        )
        self.entry: Callable[..., Any] = define("compiled", self.source, algebra.namespace)
        self._arrays: ArrayProgram | None = None

    def _shape(self, values: Sequence[Any], partials: Sequence[Sequence[Any]]) -> Any:
        """The result built from the flat outputs (texts of the generated code, or arrays)."""

        def row(items: Sequence[Any]) -> str | tuple[Any, ...]:
            if items and isinstance(items[0], str):
                return f"({''.join(f'{item}, ' for item in items)})"
            return tuple(items)

        if self.many:
            return row([row(values), row([row(p) for p in partials])])
        if self.order == 0:
            return values[0]
        gradient_row = row(partials[0])
        if self.order == 1:
            return row([values[0], gradient_row])
        n = len(self.variables)
        # Row i of the Hessian holds sweep i's entries j >= i; below the diagonal, the
        # same entry (the same name) from row j.
        upper = partials[1:]
        rows = [row([upper[min(i, j)][abs(j - i)] for j in range(n)]) for i in range(n)]
        return row([values[0], gradient_row, row(rows)])

    @property
    def array_source(self) -> str:
        """The generated NumPy program, as arrays run it."""
        return self.array_program().source

    def array_program(self) -> ArrayProgram:
        """The NumPy program, built at its first use."""
        if self._arrays is None:
            self._arrays = build(self.roots, self._nodes, self.sweeps)
        return self._arrays

    def retry(self, point: tuple[float, ...], errors: str) -> Any:
        """Where the float program gave up: the value that is not finite, named, or the
        checked interpreter's answer (or its DomainError)."""
        if not all(map(math.isfinite, point)):
            return self.general(point, errors)
        return self._interpret(list(point))

    def general(
        self,
        given: tuple[object, ...],
        errors: str,
        named: dict[str, object] | None = None,
        stacklevel: int = 4,
    ) -> Any:
        """Values that are not all floats, or given by name: checked and read (ints as
        floats), and arrays run through the NumPy program. ``stacklevel`` is the domain
        warning's, for a caller between the user and this method (four: from the
        generated function's caller)."""
        errors = check_errors(errors)
        args = [value for value in given if value is not _MISSING]
        if named:
            args = self._by_name(args, named)
        if len(args) != len(self.variables):
            raise ValuesError(
                f"this function takes {len(self.variables)} values"
                f" ({', '.join(self.variables) or 'none'}), not {len(args)}"
            )
        inputs = [
            argument(name, value, check=False)
            for name, value in zip(self.variables, args, strict=True)
        ]
        if not any(is_array(a) for a in inputs):
            return self.entry(*inputs)
        program = self.array_program()
        outputs = run(
            program,
            inputs,
            self.variables,
            errors,
            stacklevel=stacklevel,
            backend=self.backend,
            checked=False,
            threads=self.threads,
        )
        values, rest = outputs[: len(self.roots)], outputs[len(self.roots) :]
        partials = []
        for sweep in self.sweeps:
            partials.append(rest[: len(sweep.wanted)])
            rest = rest[len(sweep.wanted) :]
        return self._shape(values, partials)

    def _by_name(self, args: list[object], named: dict[str, object]) -> list[object]:
        """The values in ``.variables`` order, the first ones given by position and the
        rest by name, as Python binds a call's arguments."""
        names = self.variables
        if len(args) > len(names):
            return args  # too many: general says how many it takes
        bound = dict(zip(names, args, strict=False))
        for name, value in named.items():
            if name not in names:
                raise ValuesError(
                    f"this function has no variable {name}: its variables are "
                    f"{', '.join(names) or 'none'}"
                )
            if name in bound:
                raise ValuesError(f"the value of {name} is given twice")
            bound[name] = value
        missing = [name for name in names if name not in bound]
        if missing:
            raise ValuesError(f"no value given for {', '.join(missing)}")
        return [bound[name] for name in names]

    def _interpret(self, point: list[float]) -> Any:
        """The checked interpreter's answer, or its DomainError, where the program gave up."""
        by_name = dict(zip(self.variables, point, strict=True))
        values: list[float] = []
        partials: list[list[float]] = []
        for root in self.roots:
            if self.many or self.order >= 1:
                value, row = _gradient_at(root, by_name, self.variables)
                values.append(value)
                partials.append(row)
            else:
                p = plan(root)
                values.append(interpret_value(p, [by_name[n] for n in p.variables]))
        if self.order == 2:
            for i, partial in enumerate(self.partials):
                partials.append(_gradient_at(partial, by_name, self.variables)[1][i:])
        return self._shape(values, partials)


class Compiled(functools.partial[Any]):
    """A compiled expression (or list of expressions); call it with the variables' values
    in ``.variables`` order, or by name (``f(x=1.5, y=0.5)``, a little slower: the values
    are put in order first). ``.source`` is the generated float program.

    - order 0: the value;
    - order 1: ``(value, gradient)``, the gradient a tuple in ``.variables`` order;
    - order 2: ``(value, gradient, hessian)``, the Hessian a tuple of rows;
    - a list of expressions: ``(values, jacobian)``, one row per expression.

    Floats in give floats out; NumPy (or Dask) arrays, mixed with floats, give arrays of
    the broadcast shape, with ``errors="warn"|"raise"|"ignore"`` as in ``differentiate``;
    ``backend="numba"`` runs them through one fused Numba loop (``codegen/numba.py``).
    Large arrays are shared among up to ``threads`` threads (default: one per core;
    ``threads=1``: the calling thread alone), with the same numbers.

    It is a ``functools.partial`` of the generated function, so that a call runs the
    generated code with no Python frame before it (a method ``__call__`` would cost about
    a sixth of a small gradient's time); the function hands every other case on itself.
    """

    program: Program

    def __new__(
        cls,
        exprs: Expr | str | Sequence[Expr | str],
        variables: Iterable[str | Expr] | None = None,
        *,
        order: int = 1,
        backend: str = "numpy",
        threads: int | None = None,
    ) -> Compiled:
        program = Program(exprs, variables, order=order, backend=backend, threads=threads)
        self = super().__new__(cls, program.entry)
        self.program = program
        return self

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables, in the order the function takes their values."""
        return self.program.variables

    @property
    def source(self) -> str:
        """The generated float program."""
        return self.program.source

    @property
    def array_source(self) -> str:
        """The generated NumPy program, as arrays run it."""
        return self.program.array_source

    @property
    def order(self) -> int:
        return self.program.order

    def __repr__(self) -> str:
        names = ", ".join(self.variables) or "no variables"
        return f"<symdiff.Compiled order {self.order} of {names}>"

    # Immutable, and its generated function cannot be pickled: a copy is itself.
    def __copy__(self) -> Compiled:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Compiled:
        return self


def _gradient_at(
    root: Expr, by_name: dict[str, float], names: Sequence[str]
) -> tuple[float, list[float]]:
    p = plan(root)
    results = value_and_gradient(p, [by_name[n] for n in p.variables])
    partials = dict(zip(p.variables, results[1:], strict=True))
    return results[0], [partials.get(name, 0.0) for name in names]


def _variables(roots: Sequence[Expr], variables: Iterable[str | Expr] | None) -> tuple[str, ...]:
    present = variable_names(n for n in topological_order(roots) if is_variable(n))
    if variables is None:
        return tuple(dict.fromkeys(present))
    if isinstance(variables, str | Expr) or not isinstance(variables, Iterable):
        raise SymdiffError("variables are a list of names, e.g. ['x', 'y']")
    names = tuple(variable_name(v) for v in variables)
    if len(set(names)) != len(names):
        raise SymdiffError(f"a variable is named twice in {list(names)}")
    missing = [name for name in dict.fromkeys(present) if name not in names]
    if missing:
        raise SymdiffError(f"the variables must include {', '.join(missing)}")
    return names
