"""The interactive session's meaning: names, statements, replies.

:class:`Session` holds the session's names (values of variables, named expressions, user
functions) and turns one input line into a :class:`Reply`; it knows nothing of terminals,
so it is tested directly. ``terminal.py`` feeds it lines.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from ..api import count_nodes, derivative, explain, gradient, hessian
from ..diff.symbolic import Growth
from ..errors import DomainError, ParseError, SymdiffError
from ..ir.nodes import Expr, is_constant, is_variable, variable
from ..ir.ops import FUNCTIONS, NAMED_CONSTANTS, OPS
from ..ir.substitute import substitute
from ..syntax.parser import ExtraFunction, canonical_name, parse, parse_with_functions
from ..syntax.printer import printed_size
from ..tools import NotSquare, jacobian, minimize, newton, propagate, sensitivity
from ..tools.plot import FORMATS as PLOT_FORMATS
from ..tools.plot import parse_range, plot
from ..tools.points import variable_names
from ..tools.uncertainty import split_measurement

_T = TypeVar("_T")

PROMPT = "symdiff> "
# Expressions that would print more nodes than this (a derivative shares much of its graph,
# and printing writes a shared node at every use) are shown with let-bindings, or not.
_PRINT_LIMIT = 10_000
_BINDING_LINES = 100
EXIT_OK, EXIT_INPUT = 0, 2
# The exit status of a piped session stopped by Ctrl-C, as shells report SIGINT.
EXIT_INTERRUPTED = 130

# A name as the REPL's own syntax sees it; the formula parser then decides whether it is a
# valid variable name (ASCII or Greek letters) and reports it with a caret if not.
_NAME = r"[^\W\d]\w*"
_DEFINITION = re.compile(
    rf"\s*(?P<name>{_NAME})\s*(?:\((?P<parameters>[^()]*)\))?\s*=(?P<body>.*)", re.S
)
# d/dx f, d/dx(f), d^2/dx^2 f: the variable is followed by a space or a parenthesis.
_DERIVATIVE = re.compile(
    rf"d(?:\^(?P<order>\d+))?/d(?P<variable>{_NAME})(?:\^(?P<again>\d+))?(?=[\s(])\s*", re.S
)
# In a tool command's list: "x = 2", "m = 2 ± 0.1" or "m ± 0.1" give a name a value.
_SETTING = re.compile(rf"\s*(?P<name>{_NAME})\s*(?:=|(?=±|\+-))", re.S)
# grad f at x = 2, y = 3: values for one statement, as the command line's --at.
_AT = re.compile(rf"\s+at\s+(?={_NAME}\s*=)", re.S)
_TOOLS = (":jacobian", ":sensitivity", ":propagate", ":newton", ":minimize")
_MATRIX_COMMAND = re.compile(r"(?P<command>grad|hessian)(?:\s+|(?=\())", re.S)
# The word being completed: a name, or a command after a colon.
_WORD = re.compile(rf"(?<!\w)(?::\w*|{_NAME})$")

COMMANDS = {
    ":help": "what can be typed, and the syntax of formulas",
    ":vars": "the names defined in this session, as lines that define them again",
    ":del": "forget names: :del f g",
    ":reset": "forget every name",
    ":latex": "LaTeX of an expression or of a command's result: :latex d/dx f",
    ":jacobian": "the Jacobian of several formulas: :jacobian x*y, x + y^2",
    ":sensitivity": "derivatives and elasticities at the values, ranked: :sensitivity f",
    ":propagate": "an uncertainty budget: :propagate m*g*h, m = 2 ± 0.1, h ± 0.5",
    ":newton": "a root, for the variables given values here (or all): :newton f, x = 2",
    ":minimize": "a minimum, over the variables given values here (or all): :minimize f, x = 1",
    ":explain": "the derivative worked step by step, at the values given: :explain f, "
    ":explain d/dx f at x = 2",
    ":graph": "the expression graph as Graphviz DOT, with values and adjoints if given",
    ":plot": "f and its derivative on one figure, into a file: :plot f, x = -3:3, f.png "
    "(the range and file are optional; needs matplotlib)",
    ":quit": "leave (Ctrl-D too)",
}
_COMMAND_ALIASES = {":q": ":quit", ":exit": ":quit", ":h": ":help", ":?": ":help"}
# What completion offers at the start of a line, besides names: the commands' first words.
_STATEMENT_WORDS = ("grad ", "hessian ", "d/d")
_DIFF = "diff"
_NO_VARIABLES = "(no variables, so no derivatives)"


@dataclass(frozen=True)
class Reply:
    """What one input line gives: text to show, an error message, whether to stop."""

    text: str = ""
    error: str | None = None
    quit: bool = False


@dataclass(frozen=True, eq=False)
class UserFunction:
    """``g(t) = t^2 + 1``: a call inlines the body with the parameters replaced.
    ``differentiated`` are the functions the body takes derivatives of (``diff`` calls),
    in terms of the parameters: see :attr:`Session.differentiated`."""

    name: str
    parameters: tuple[str, ...]
    body: Expr
    differentiated: tuple[Expr, ...] = ()

    @property
    def arities(self) -> tuple[int]:
        return (len(self.parameters),)

    def __call__(self, *args: Expr) -> Expr:
        return substitute(self.body, self._replacements(args))

    def _replacements(self, args: tuple[Expr, ...]) -> dict[Expr, Expr]:
        return {variable(p): a for p, a in zip(self.parameters, args, strict=True)}

    def differentiated_at(self, args: tuple[Expr, ...]) -> list[Expr]:
        """What the body differentiates, for a call with ``args``."""
        replacements = self._replacements(args)
        return [substitute(f, replacements) for f in self.differentiated]

    def __str__(self) -> str:
        return f"{self.name}({', '.join(self.parameters)}) = {self.body}"


class _Call:
    """A call of a user function whose body takes derivatives: inlined as any other, and
    what it differentiates noted for the statement being read."""

    def __init__(self, session: Session, function: UserFunction) -> None:
        self.session = session
        self.function = function
        self.arities = function.arities

    def __call__(self, *args: Expr) -> Expr:
        self.session.differentiated.extend(self.function.differentiated_at(args))
        return self.function(*args)


@dataclass(frozen=True, eq=False)
class _Shown:
    """One result: an expression, and the label written before it (``∂f/∂x``).
    ``differentiated``: the functions it takes derivatives of; it has a value only where
    they are defined (see :attr:`Session.differentiated`)."""

    expr: Expr
    label: str = ""
    latex_label: str = ""
    differentiated: tuple[Expr, ...] = ()


class _Diff:
    """``diff(f, x)`` and ``diff(f, x, n)`` inside formulas: the derivative, built as the
    line is read (names in ``f`` are looked up then)."""

    arities = (2, 3)

    def __init__(self, session: Session, parameters: Collection[str]) -> None:
        self.session = session
        # Inside a function's body its parameters are its own, not the session's names.
        self.parameters = parameters
        self.growth = Growth()

    def __call__(self, *args: Expr) -> Expr:
        expr, var = args[0], args[1]
        if not is_variable(var):
            raise SymdiffError(f"diff(f, x): the second argument is a variable, not {var}")
        name = str(var.payload)
        self.session.check_wrt(name)
        order = 1
        if len(args) == 3:
            order_node = args[2]
            if not (is_constant(order_node) and type(order_node.payload) is int):
                raise SymdiffError(
                    f"diff(f, x, n): n is the order, a whole number, not {order_node}"
                )
            order = order_node.payload
        # d/dr of a named expression r: r stays a variable, at every depth, and the line's
        # result keeps it too (see Session.held), so it reads in terms of r.
        hold = (name,) if name in self.session.formulas else ()
        self.session.held.update(hold)
        resolved = self.session.resolve(expr, keep=self.parameters, hold=hold)
        # Nested diff calls are repeated derivatives too: the same limit on their growth.
        self.growth.before(resolved)
        self.growth.last = derivative(resolved, name, order)
        self.session.differentiated.extend(_lower_orders(resolved, name, order))
        return self.growth.last


def _lower_orders(expr: Expr, name: str, order: int) -> list[Expr]:
    """``expr`` and its derivatives by ``name`` below ``order``: where one is undefined, the
    derivative of that order has no value (as at the command line, ``diff --at``). They are
    remembered from building it, so this costs no new derivative."""
    lower = [expr]
    for _ in range(order - 1):
        lower.append(derivative(lower[-1], name))
    return lower


class Session:
    """The names of one session and the meaning of each input line.

    A name is one thing at a time: a value (``x = 2``, from a constant formula), a named
    expression (``f = x^2``) or a function (``g(t) = t + 1``); the latest definition wins.
    Named expressions are looked up when used, so ``f`` follows later changes to the names
    it uses; on the right of its own definition a name means its previous meaning
    (``f = f + 1``), and definitions that would be circular are refused. Calls of user
    functions and of ``diff`` are expanded when the line is read.
    """

    def __init__(self, *, unicode: bool = True) -> None:
        self.values: dict[str, float] = {}
        self.formulas: dict[str, Expr] = {}
        self.functions: dict[str, UserFunction] = {}
        self._unicode = unicode
        # Named expressions that a diff(f, r) in the line being read differentiates by:
        # they stay variables in that line's result.
        self.held: set[str] = set()
        # The functions the statement being read takes derivatives of (by d/dx, grad,
        # hessian or diff), each with its names resolved: a derivative has a value only
        # where they are defined, though its formula may have one elsewhere (d/dx log(x)
        # is 1/x, which is -1 at x = -1, where log(x) has none). A named expression or a
        # function defined with diff keeps its own, for the statements that use it.
        self.differentiated: list[Expr] = []
        self._differentiated_by: dict[str, tuple[Expr, ...]] = {}

    # --- one line ----------------------------------------------------------------------

    def run(self, line: str, line_number: int = 1) -> Reply:
        """Carry out every ``;``-separated statement of ``line``; stop at the first error.

        Bad input never raises: the error's message (with its caret) is in the reply, its
        position given as on line ``line_number`` of the input.
        """
        shown: list[str] = []
        start = 0
        for end in [*(m.start() for m in re.finditer(";", line)), len(line)]:
            try:
                reply = self._statement(line, start, end)
            except ParseError as exc:
                return Reply("\n".join(shown), str(exc.on_line(line_number)))
            except SymdiffError as exc:
                return Reply("\n".join(shown), str(exc))
            if reply.text:
                shown.append(reply.text)
            if reply.quit:
                return Reply("\n".join(shown), quit=True)
            start = end + 1
        return Reply("\n".join(shown))

    def _statement(self, line: str, start: int, end: int) -> Reply:
        text = line[start:end]
        if not text.strip():
            return Reply()
        self.differentiated.clear()
        lead = start + len(text) - len(text.lstrip())
        if line[lead] == ":":
            return self._command(line, lead, end)
        definition = _DEFINITION.fullmatch(text)
        if definition:
            self._define(line, start, definition)
            return Reply()
        hint = self._lone_word_hint(text.strip()) or self._command_hint(text.strip())
        if hint is not None:
            raise SymdiffError(hint)
        at = _AT.search(text)
        if at is not None:  # f at x = 2, y = 3: values for this line only
            with self._values_at(line, start + at.end(), end):
                return self._shown(line, lead, start + at.start())
        if "=" in text:
            called = _called_command(text)
            raise ParseError(
                "the left side of = is a name or a function's head",
                line,
                1,
                lead + 1,
                "write f = expression, x = 2 or g(t) = expression"
                if called is None
                else _command_hint_for(*called),
            )
        return self._shown(line, lead, end)

    def _shown(self, line: str, start: int, end: int) -> Reply:
        """What an expression, ``d/dx ...``, ``grad ...`` or ``hessian ...`` shows."""
        results = self._results(line, start, end)
        if not results:
            return Reply(_NO_VARIABLES)
        return Reply("\n".join(self._render(s) for s in results))

    @contextmanager
    def _values_at(self, line: str, start: int, end: int) -> Iterator[None]:
        """The values ``x = 2, y = 3`` of ``line[start:end]`` (after an ``at``) in the
        session for the block only: its own are kept, and give the other variables."""
        given: dict[str, float] = {}
        for item_start, item_end in _top_level_items(line, start, end):
            setting = _SETTING.match(line, item_start, item_end)
            if setting is None or line[setting.end() - 1] != "=":
                column = _skip_spaces(line, item_start, item_end) + 1
                raise ParseError(
                    "after at come values, name = value", line, 1, column, "f at x = 2, y = 3"
                )
            name = canonical_name(setting["name"])
            self.check_variable(name)
            given[name] = self._constant(line, setting.end(), item_end)
        kept = self.values
        self.values = {**kept, **given}
        try:
            yield
        finally:
            self.values = kept

    def _lone_word_hint(self, word: str) -> str | None:
        """What a word typed alone most likely meant, unless the session defines it: a
        command without its expression, or a way out borrowed from another shell."""
        if word in self.values or word in self.formulas or word in self.functions:
            return None
        if word in ("exit", "quit", "exit()", "quit()"):
            return "to leave, type :quit or press Ctrl-D"
        if word in ("help", "help()", "?"):
            return "for help, type :help"
        if word in ("grad", "hessian"):
            return f"{word} needs an expression: {word} f, or {word} sin(x*y)"
        match = _DERIVATIVE.fullmatch(word + " ")
        if match is not None:
            return f"{word} needs an expression after it: {word} f, or {word} x^2"
        return None

    def _command_hint(self, text: str) -> str | None:
        """A command typed without its colon (``latex f``, ``vars``): never a formula, since
        a name before another name is not one, unless the session defines the word."""
        word = text.split(None, 1)[0]
        if f":{word}" not in COMMANDS or word in self.values or word in self.formulas:
            return None
        rest = text[len(word) :].lstrip()
        if word in self.functions or (rest and not (rest[0].isalnum() or rest[0] in "_.")):
            return None  # a formula goes on after a name with an operator or a parenthesis
        return f"commands begin with a colon: :{text}"

    # --- definitions -------------------------------------------------------------------

    def _define(self, line: str, start: int, match: re.Match[str]) -> None:
        name = canonical_name(match["name"])
        name_at = start + match.start("name")
        body_at = start + match.start("body")
        body_end = start + match.end("body")
        self._check_new_name(name, line, name_at)
        if match["parameters"] is None:
            self._define_name(name, self._parse(line, body_at, body_end))
        else:
            parameters = self._parameters(
                name, match["parameters"], line, start + match.start("parameters")
            )
            body = self._parse(line, body_at, body_end, parameters)
            differentiated = tuple(self.differentiated)
            self._assign(self.functions, name, UserFunction(name, parameters, body, differentiated))

    def define(self, name: str, expr: Expr | str) -> None:
        """``name = expr`` from a program, with an expression object or formula text."""
        self.differentiated.clear()
        self._check_new_name(name, name, 0)
        self._define_name(name, expr if isinstance(expr, Expr) else self._parse(expr, 0, len(expr)))

    def _define_name(self, name: str, expr: Expr) -> None:
        if name in expr.variables:
            previous = self._meaning(name)
            if previous is None:
                raise SymdiffError(
                    f"{name} is not defined yet, so its definition cannot use it "
                    f"(on the right of =, a name means its previous meaning)"
                )
            expr = substitute(expr, {variable(name): previous})
        circle = self._path_to(name, expr)
        if circle:
            raise SymdiffError(f"{name} would be circular: {' uses '.join([name, *circle])}")
        resolved = self.resolve(expr)
        if resolved.variables:
            self._assign(self.formulas, name, expr)
            if self.differentiated:
                self._differentiated_by[name] = tuple(self.differentiated)
        else:
            for function in self.differentiated:  # a value: it must have one
                self.resolve(function).evaluate(self.values)
            self._assign(self.values, name, resolved.evaluate())

    def _meaning(self, name: str) -> Expr | None:
        if name in self.formulas:
            return self.formulas[name]
        if name in self.values:
            return parse(repr(self.values[name]))
        return None

    def _check_new_name(self, name: str, line: str, at: int) -> None:
        if name in NAMED_CONSTANTS:
            raise ParseError(f"{name} is a constant; it cannot be redefined", line, 1, at + 1)
        if name in FUNCTIONS or name == _DIFF:
            raise ParseError(
                f"{name} is a built-in function; it cannot be redefined", line, 1, at + 1
            )
        try:
            parse(name)
        except ParseError as exc:
            raise _moved(exc, line, at) from None

    def _parameters(self, name: str, text: str, line: str, at: int) -> tuple[str, ...]:
        parameters: list[str] = []
        if not text.strip():
            return ()
        offset = at
        for piece in text.split(","):
            parameter = piece.strip()
            column = offset + len(piece) - len(piece.lstrip()) + 1
            offset += len(piece) + 1
            if not parameter:
                raise ParseError("a parameter name is missing", line, 1, column)
            if re.fullmatch(_NAME, parameter) is None:
                raise ParseError(f"a parameter is a name, not {parameter}", line, 1, column)
            self._check_new_name(parameter, line, column - 1)
            if parameter in self.functions or parameter == name:
                raise ParseError(
                    f"{parameter} is a function; a parameter needs another name", line, 1, column
                )
            if parameter in parameters:
                raise ParseError(f"the parameter {parameter} appears twice", line, 1, column)
            parameters.append(parameter)
        return tuple(parameters)

    def _assign(self, table: dict[str, _T], name: str, meaning: _T) -> None:
        """``name`` becomes ``meaning`` in ``table`` and nothing in the others."""
        for other in (self.values, self.formulas, self.functions):
            if other is not table:
                other.pop(name, None)
        self._differentiated_by.pop(name, None)
        table[name] = meaning

    def _forget(self, name: str) -> None:
        self.values.pop(name, None)
        self.formulas.pop(name, None)
        self.functions.pop(name, None)
        self._differentiated_by.pop(name, None)

    def check_variable(self, name: str) -> None:
        """Refuse to give a value to a named expression, a function or a constant."""
        if name in self.formulas:
            raise SymdiffError(
                f"{name} is a named expression, not a variable; it takes its value "
                f"from the variables it uses"
            )
        self.check_wrt(name)

    def check_wrt(self, name: str) -> None:
        """Refuse to differentiate with respect to a function or a constant. A named
        expression is allowed: d/dr z treats r as the variable it names."""
        if name in self.functions:
            raise SymdiffError(f"{name} is a function, not a variable")
        if name in NAMED_CONSTANTS:
            raise SymdiffError(f"{name} is a constant, not a variable")

    # --- names, looked up ----------------------------------------------------------------

    def resolve(self, expr: Expr, keep: Collection[str] = (), hold: Collection[str] = ()) -> Expr:
        """``expr`` with every named expression in it replaced by its definition, at any
        depth; names in ``keep`` stay as they are where ``expr`` itself uses them, and
        names in ``hold`` stay variables at every depth (in the definitions used too)."""
        names = [n for n in expr.variables if n in self.formulas and n not in keep]
        names = [n for n in names if n not in hold]
        if not names:
            return expr
        resolved: dict[str, Expr] = {}
        for name in self._definition_order(names):
            if name in hold:
                continue
            body = self.formulas[name]
            uses = {variable(n): resolved[n] for n in body.variables if n in resolved}
            resolved[name] = substitute(body, uses)
        return substitute(expr, {variable(n): resolved[n] for n in names})

    def _uses(self, name: str) -> set[str]:
        return {n for n in self.formulas[name].variables if n in self.formulas}

    def _definition_order(self, names: list[str]) -> list[str]:
        """The named expressions reachable from ``names``, each after those it uses."""
        reachable: list[str] = []
        seen: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                reachable.append(name)
                stack.extend(self._uses(name) - seen)
        # Kahn's algorithm: a name is ready once every name it uses is placed.
        waiting = {name: len(self._uses(name)) for name in reachable}
        users: dict[str, list[str]] = {name: [] for name in reachable}
        for name in reachable:
            for used in self._uses(name):
                users[used].append(name)
        ready = [name for name in reachable if waiting[name] == 0]
        order: list[str] = []
        while ready:
            name = ready.pop()
            order.append(name)
            for user in users[name]:
                waiting[user] -= 1
                if waiting[user] == 0:
                    ready.append(user)
        if len(order) != len(reachable):
            stuck = ", ".join(sorted(set(reachable) - set(order)))
            raise SymdiffError(f"circular definitions: {stuck}")
        return order

    def _path_to(self, target: str, expr: Expr) -> list[str]:
        """Names leading from ``expr`` back to ``target`` through named expressions."""
        came_from: dict[str, str | None] = dict.fromkeys(expr.variables)
        queue = list(expr.variables)
        for name in queue:  # the queue grows as the search goes
            if name == target:
                path: list[str] = []
                step: str | None = name
                while step is not None:
                    path.append(step)
                    step = came_from[step]
                return path[::-1]
            if name in self.formulas:
                for used in self.formulas[name].variables:
                    if used not in came_from:
                        came_from[used] = name
                        queue.append(used)
        return []

    def _parse(self, line: str, start: int, end: int, parameters: Collection[str] = ()) -> Expr:
        """The formula ``line[start:end]``, knowing the user functions and ``diff``; a caret
        error points into the whole line."""
        functions: dict[str, ExtraFunction] = {
            name: _Call(self, function) if function.differentiated else function
            for name, function in self.functions.items()
        }
        functions[_DIFF] = _Diff(self, parameters)
        start = _skip_spaces(line, start, end)
        try:
            return parse_with_functions(line[start:end], functions)
        except ParseError as exc:
            raise _command_called(_moved(exc, line, start), line[start:end]) from None

    # --- results -----------------------------------------------------------------------

    def _results(self, line: str, start: int, end: int) -> list[_Shown]:
        """What an expression, ``d/dx ...``, ``grad ...`` or ``hessian ...`` stands for."""
        start = _skip_spaces(line, start, end)
        text = line[start:end]
        self.held.clear()
        derivative_match = _DERIVATIVE.match(text)
        if derivative_match:
            return [self._derivative(line, start, end, derivative_match)]
        matrix_match = _MATRIX_COMMAND.match(text)
        if matrix_match:
            rest = start + matrix_match.end()
            if matrix_match["command"] == "grad":
                return self._gradient(line, rest, end)
            return self._hessian(line, rest, end)
        expr = self._parse(line, start, end)
        differentiated = (*self.differentiated, *self._differentiated_in(expr))
        expr = self.resolve(expr, hold=self.held)
        name = text.strip()
        label = name if name in self.formulas else ""
        return [_Shown(expr, label, parse(name).to_latex() if label else "", differentiated)]

    def _derivative(self, line: str, start: int, end: int, match: re.Match[str]) -> _Shown:
        name = canonical_name(match["variable"])
        order_text, again = match["order"], match["again"]
        if order_text and again and order_text != again:
            raise ParseError(
                f"d^{order_text}/d{name}^{again}: the two orders differ", line, 1, start + 1
            )
        try:
            var = parse(name)
        except ParseError as exc:
            raise _moved(exc, line, start + match.start("variable")) from None
        if not is_variable(var):
            at = start + match.start("variable")
            raise ParseError(f"{name} is not a variable", line, 1, at + 1)
        self.check_wrt(name)
        order = int(order_text or again or 1)
        expr = self._parse(line, start + match.end(), end)
        hold = {name} if name in self.formulas else set()
        hold |= self.held
        function = self.resolve(expr, hold=hold)
        differentiated = [
            *_lower_orders(function, name, order),
            *self.differentiated,
            *self._differentiated_in(expr),
        ]
        return _Shown(derivative(function, name, order), differentiated=tuple(differentiated))

    def _subject(self, line: str, start: int, end: int) -> tuple[Expr, str, str]:
        """The expression a command is about, and its name for labels (f in ∂f/∂x); what
        it differentiates is noted in ``differentiated``, with the expression itself."""
        read = self._parse(line, start, end)
        expr = self.resolve(read)
        self.differentiated.extend([expr, *self._differentiated_in(read)])
        name = line[start:end].strip()
        if name in self.formulas:
            return expr, name, parse(name).to_latex()
        return expr, "", ""

    def _gradient(self, line: str, start: int, end: int) -> list[_Shown]:
        expr, name, latex_name = self._subject(line, start, end)
        d = "∂" if self._unicode else "d"
        differentiated = tuple(self.differentiated)
        return [
            _Shown(partial, f"{d}{name}/{d}{v}", _latex_partial(latex_name, [v]), differentiated)
            for v, partial in gradient(expr).items()
        ]

    def _hessian(self, line: str, start: int, end: int) -> list[_Shown]:
        expr, name, latex_name = self._subject(line, start, end)
        names = list(expr.variables)
        matrix = hessian(expr, names)
        d, two = ("∂", "²") if self._unicode else ("d", "2")
        differentiated = tuple(self.differentiated)
        shown = []
        for i, a in enumerate(names):
            for j in range(i, len(names)):
                b = names[j]
                below = f"{d}{a}{two}" if i == j else f"{d}{a}{d}{b}"
                label = f"{d}{two}{name}/{below}"
                latex = _latex_partial(latex_name, [a, b])
                shown.append(_Shown(matrix[i][j], label, latex, differentiated))
        return shown

    def _render(self, shown: _Shown) -> str:
        """``label = expression = value``; a large shared graph with let-bindings."""
        expr = shown.expr
        body = _display(expr)
        if "\n" in body:
            head = [f"{shown.label} =" if shown.label else "where"]
            text = "\n".join([*head, *(f"  {line}" for line in body.splitlines())])
        else:
            text = f"{shown.label} = {body}" if shown.label else body
        # A derivative by a named expression r is shown in terms of r; its value comes
        # from r's definition.
        point_expr = self.resolve(expr)
        functions = [self.resolve(f) for f in shown.differentiated]
        needed = {name for e in [point_expr, *functions] for name in e.variables}
        if not needed <= self.values.keys():
            return text
        try:
            for function in functions:  # a derivative has no value where they have none
                function.evaluate(self.values)
            if _is_number(expr):
                return text
            return f"{text} = {point_expr.evaluate(self.values)!r}"
        except DomainError as exc:
            return f"{text}\n  no value here: {exc}"

    def _differentiated_in(self, expr: Expr) -> list[Expr]:
        """What the named expressions ``expr`` uses differentiate, at any depth."""
        names = [n for n in expr.variables if n in self.formulas]
        if not names or not self._differentiated_by:
            return []
        return [
            function
            for name in self._definition_order(names)
            for function in self._differentiated_by.get(name, ())
        ]

    # --- commands ----------------------------------------------------------------------

    def _command(self, line: str, start: int, end: int) -> Reply:
        text = line[start:end]
        word = text.split(maxsplit=1)[0]
        argument = text[len(word) :].strip()
        argument_at = start + len(word)
        word = _COMMAND_ALIASES.get(word, word)
        if word not in COMMANDS:
            close = difflib.get_close_matches(word, list(COMMANDS), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise SymdiffError(f"unknown command {word}; {hint}:help lists the commands")
        if word == ":latex":
            return Reply(self._latex(line, argument_at, end))
        if word == ":del":
            return Reply(self._delete(argument.split()))
        if word in _TOOLS:
            return Reply(self._tool(word, line, argument_at, end))
        if word in (":explain", ":graph"):
            show = self._explain if word == ":explain" else self._graph
            at = _AT.search(line, argument_at, end)
            if at is None:
                return Reply(show(line, argument_at, end))
            with self._values_at(line, at.end(), end):
                return Reply(show(line, argument_at, at.start()))
        if word == ":plot":
            return Reply(self._plot(line, argument_at, end))
        if argument:
            raise SymdiffError(f"{word} takes nothing after it")
        if word == ":help":
            return Reply(help_text())
        if word == ":vars":
            return Reply(self.listing())
        if word == ":reset":
            self.values.clear()
            self.formulas.clear()
            self.functions.clear()
            return Reply("every name is forgotten")
        return Reply(quit=True)

    def _latex(self, line: str, start: int, end: int) -> str:
        text = line[start:end]
        if not text.strip():
            raise SymdiffError(":latex needs an expression or a command: :latex d/dx f")
        if "=" in text or text.strip().startswith(":"):
            raise SymdiffError(":latex shows an expression or a derivative, not a definition")
        results = self._results(line, start, end)
        if not results:
            return _NO_VARIABLES
        for shown in results:
            if printed_size(shown.expr, _PRINT_LIMIT) > _PRINT_LIMIT:
                raise SymdiffError(f"{_too_large(shown.expr)}, too large for LaTeX")
        return "\n".join(
            f"{s.latex_label} = {s.expr.to_latex()}" if s.latex_label else s.expr.to_latex()
            for s in results
        )

    # --- the tools -------------------------------------------------------------------------

    def _tool(self, word: str, line: str, start: int, end: int) -> str:
        """``:newton f, x = 2`` and the like: formulas, then values that hold for this
        command only; other variables take the session's values."""
        formulas: list[Expr] = []
        values: dict[str, float] = {}
        uncertainties: dict[str, float] = {}
        for item_start, item_end in _top_level_items(line, start, end):
            setting = _SETTING.match(line, item_start, item_end)
            if setting is None:
                if values or uncertainties:
                    raise SymdiffError(f"{word}: formulas come first, then the values")
                formulas.append(self.resolve(self._parse(line, item_start, item_end)))
                continue
            name = canonical_name(setting["name"])
            self.check_variable(name)
            text_start = setting.end()
            value_text, uncertainty_text = split_measurement(line[text_start:item_end])
            if uncertainty_text is not None and word != ":propagate":
                raise SymdiffError(f"{word} takes values, not uncertainties (±)")
            if value_text.strip():
                values[name] = self._constant(line, text_start, text_start + len(value_text))
            elif name in self.values:
                values[name] = self.values[name]
            else:
                raise SymdiffError(f"{name} has no value: write {name} = VALUE ± UNCERTAINTY")
            if uncertainty_text is not None:
                at = item_end - len(uncertainty_text)
                uncertainties[name] = self._constant(line, at, item_end)
        if not formulas:
            raise SymdiffError(f"{word} needs a formula: {COMMANDS[word].split(': ', 1)[1]}")
        if word != ":jacobian" and word != ":newton" and len(formulas) > 1:
            raise SymdiffError(f"{word} takes one formula")
        point = {**self.values, **values}
        if word == ":jacobian":
            return self._jacobian(formulas, point)
        formula = formulas[0]
        if word == ":sensitivity":
            return sensitivity(formula, _used(point, formulas)).table(unicode=self._unicode)
        if word == ":propagate":
            inputs = {
                name: (value, uncertainties.get(name, 0.0))
                for name, value in point.items()
                if name in formula.variables or name in values
            }
            return propagate(formula, inputs).table(unicode=self._unicode)
        # The unknowns are the variables the command gives values (the others keep the
        # session's, held fixed); with none given, every variable, from the session's.
        present = variable_names(formulas, None)
        unknowns = [name for name in values if name in present] or present
        if word == ":newton":
            equations: Expr | list[Expr] = formula if len(formulas) == 1 else formulas
            try:
                return str(newton(equations, _used(point, formulas), variables=unknowns))
            except NotSquare as exc:  # said in the REPL's terms
                raise exc.told(
                    "the unknowns are the variables given values in the command"
                    " (:newton x^2 - y, x = 1 solves for x with the session's y)"
                ) from None
        return str(minimize(formula, _used(point, formulas), variables=unknowns))

    def _constant(self, line: str, start: int, end: int) -> float:
        """A value in a tool command: a formula of the session's values."""
        return self.resolve(self._parse(line, start, end)).evaluate(self.values)

    def _jacobian(self, formulas: list[Expr], point: dict[str, float]) -> str:
        names = list(dict.fromkeys(n for f in formulas for n in f.variables))
        rows = jacobian(formulas, names)
        text = "[" + ", ".join("[" + ", ".join(map(_display, row)) + "]" for row in rows) + "]"
        if all(name in point for name in names):
            text += f" = {jacobian(formulas, names, **_used(point, formulas))!r}"
        return text

    def _explain(self, line: str, start: int, end: int) -> str:
        """The steps of the reverse sweep at the session's values (or, for ``d/dx f`` with
        values missing, the steps of the symbolic derivative)."""
        start = _skip_spaces(line, start, end)
        if start >= end:
            raise SymdiffError(":explain needs an expression: :explain f, or :explain d/dx f")
        match = _DERIVATIVE.match(line[start:end])
        wrt = None
        if match:
            wrt = canonical_name(match["variable"])
            if match["order"] not in (None, "1") or match["again"] not in (None, "1"):
                raise SymdiffError(":explain shows first derivatives: :explain d/dx f")
            self.check_wrt(wrt)
            start += match.end()
        self.held.clear()
        hold = {wrt} if wrt in self.formulas else set()
        expr = self._parse(line, start, end)
        expr = self.resolve(expr, hold=hold | self.held)
        # A named expression held as a variable takes the value of its definition.
        point = dict(self.values)
        for name in hold | self.held:
            definition = self.resolve(variable(name))
            if all(n in self.values for n in definition.variables):
                point[name] = definition.evaluate(self.values)
        missing = [name for name in expr.variables if name not in point]
        if not missing:
            return str(explain(expr, wrt, point))
        if wrt is not None:
            return str(explain(expr, wrt))
        raise SymdiffError(
            f"give values first ({', '.join(f'{n} = ...' for n in missing)}) or after at "
            "(:explain f at x = 2), or ask for the symbolic steps: :explain d/dx f"
        )

    def _graph(self, line: str, start: int, end: int) -> str:
        if not line[start:end].strip():
            raise SymdiffError(":graph needs an expression: :graph f")
        expr = self.resolve(self._parse(line, start, end))
        if all(name in self.values for name in expr.variables):
            return expr.to_dot(self.values, gradients=True).rstrip("\n")
        return expr.to_dot().rstrip("\n")

    def _plot(self, line: str, start: int, end: int) -> str:
        """``:plot f[, x = -3:3][, file.png]``: the other variables take the session's values."""
        items = _top_level_items(line, start, end)
        if not items:
            raise SymdiffError(":plot needs an expression: :plot f, or :plot f, x = -3:3, f.png")
        expr = self.resolve(self._parse(line, *items[0]))
        wrt: str | None = None
        interval = (-3.0, 3.0)
        path = "plot.png"
        for item_start, item_end in items[1:]:
            item = line[item_start:item_end].strip()
            setting = _SETTING.match(line, item_start, item_end)
            if setting is not None:
                wrt = canonical_name(setting["name"])
                self.check_wrt(wrt)
                interval = parse_range(line[setting.end() : item_end].lstrip(" =").strip())
            elif item.rpartition(".")[2].lower() in PLOT_FORMATS:
                path = item
            else:
                raise SymdiffError(
                    f":plot takes a range (x = -3:3) and a file ending in "
                    f"{', '.join('.' + f for f in PLOT_FORMATS)} after the formula, not {item}"
                )
        values = {n: v for n, v in self.values.items() if n in expr.variables and n != wrt}
        plot(expr, wrt, interval, values, path=path)
        return f"wrote {path}"

    def _delete(self, names: list[str]) -> str:
        if not names:
            raise SymdiffError(":del needs the names to forget: :del f g")
        unknown = [n for n in names if self._meaning(n) is None and n not in self.functions]
        if unknown:
            raise SymdiffError(f"{', '.join(unknown)}: no such name in this session")
        for name in names:
            self._forget(name)
        return f"forgot {', '.join(names)}"

    def listing(self) -> str:
        """Every name, one definition a line, in a form that can be typed back in."""
        lines = [f"{name} = {value!r}" for name, value in self.values.items()]
        lines += [f"{name} = {_display(e, 1)}" for name, e in self.formulas.items()]
        lines += [
            f"{f.name}({', '.join(f.parameters)}) = {_display(f.body, 1)}"
            for f in self.functions.values()
        ]
        return "\n".join(lines) if lines else "(no names defined yet)"

    # --- completion ----------------------------------------------------------------------

    def complete(self, text_before_cursor: str) -> tuple[str, list[str]]:
        """The word being typed at the end of ``text_before_cursor`` and its completions."""
        match = _WORD.search(text_before_cursor)
        if match is None:
            return "", []
        word = match.group()
        if word.startswith(":"):
            candidates = [*COMMANDS, *_COMMAND_ALIASES]
        else:
            candidates = [f"{name}(" for name in [*FUNCTIONS, _DIFF, *self.functions]]
            candidates += [*NAMED_CONSTANTS, *self.values, *self.formulas]
            if not text_before_cursor[: match.start()].strip():
                candidates += _STATEMENT_WORDS
        return word, sorted({c for c in candidates if c.startswith(word) and c != word})


def _top_level_items(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of ``line[start:end]`` between commas outside parentheses."""
    items, depth, item_start = [], 0, start
    for i in range(start, end):
        depth += {"(": 1, ")": -1}.get(line[i], 0)
        if line[i] == "," and depth == 0:
            items.append((item_start, i))
            item_start = i + 1
    items.append((item_start, end))
    return [(a, b) for a, b in items if line[a:b].strip()]


def _used(point: dict[str, float], formulas: list[Expr]) -> dict[str, float]:
    """The values of the variables the formulas use."""
    used = {name for f in formulas for name in f.variables}
    return {name: value for name, value in point.items() if name in used}


def _is_number(expr: Expr) -> bool:
    """2 or -2: an expression that is its own value."""
    return is_constant(expr.args[0] if expr.op is OPS["neg"] else expr)


def _display(expr: Expr, max_lines: int = _BINDING_LINES) -> str:
    """The text of ``expr``: plain; with let-bindings (``t1 = ...``) if plain text would be
    too long; or, past that, a note of its size."""
    if printed_size(expr, _PRINT_LIMIT) <= _PRINT_LIMIT:
        return str(expr)
    if max_lines > 1 and count_nodes(expr) <= _PRINT_LIMIT:
        lines = expr.to_string(cse=True).splitlines()
        if len(lines) <= max_lines:
            return "\n".join(lines)
    return f"({_too_large(expr)}, too large to show)"


def _too_large(expr: Expr) -> str:
    return f"an expression of {count_nodes(expr)} distinct nodes"


def _skip_spaces(line: str, start: int, end: int) -> int:
    while start < end and line[start].isspace():
        start += 1
    return start


def _moved(exc: ParseError, line: str, offset: int) -> ParseError:
    """A caret error in a piece of ``line`` starting at ``offset``, told in the whole line."""
    if exc.line != 1 or "\n" in line:
        return exc
    return ParseError(exc.summary, line, 1, exc.column + offset, exc.hint)


def _command_called(exc: ParseError, text: str) -> ParseError:
    """``latex(f)``: a command called as a function. The parser's error stands, with the
    command as its hint (``:latex f`` when the call is the whole formula ``text``)."""
    word = exc.summary.removeprefix("unknown function ")
    if word == exc.summary or f":{word}" not in COMMANDS:
        return exc
    called = _called_command(text)
    hint = _command_hint_for(word, "..." if called is None else called[1])
    return ParseError(exc.summary, exc.text, exc.line, exc.column, hint, exc.first_line)


_CALL = re.compile(r"\s*(\w+)\s*\((.*)\)\s*", re.DOTALL)


def _called_command(text: str) -> tuple[str, str] | None:
    """``(command, its arguments)`` when ``text`` is one call of a command's name, such as
    ``newton(f, x = 2)``; else None."""
    call = _CALL.fullmatch(text)
    if call is None or f":{call[1]}" not in COMMANDS or not _balanced(call[2]):
        return None
    return call[1], call[2].strip()


def _command_hint_for(word: str, arguments: str) -> str:
    return f"{word} is a command, not a function: :{word} {arguments}".rstrip()


def _balanced(text: str) -> bool:
    """Whether the parentheses of ``text`` close in order and all close."""
    depth = 0
    for character in text:
        depth += (character == "(") - (character == ")")
        if depth < 0:
            return False
    return depth == 0


def _latex_partial(name: str, variables: list[str]) -> str:
    latex = [parse(v).to_latex() for v in variables]
    if len(latex) == 1:
        top, bottom = "\\partial", f"\\partial {latex[0]}"
    else:
        top = "\\partial^{2}"
        a, b = latex
        bottom = f"\\partial {a}^{{2}}" if a == b else f"\\partial {a} \\partial {b}"
    return f"\\frac{{{top} {name}}}{{{bottom}}}" if name else f"\\frac{{{top}}}{{{bottom}}}"


def help_text() -> str:
    """The text of :help, with the function list taken from the op table."""
    functions = sorted(FUNCTIONS)
    listed = textwrap.fill(
        " ".join(functions), width=76, initial_indent="  ", subsequent_indent="  "
    )
    commands = "\n".join(f"  {name:<12}  {about}" for name, about in COMMANDS.items())
    pasted = (
        "\u2212 \u00d7 \u00b7 \u00f7, x\u00b2 x\u207b\u00b9, \u221ax, \u03c0, \u00b5 (as \u03bc)"
    )
    return f"""\
Type a formula to see it as parsed and, once every variable has a value, its value.

  f = sin(x*y)        name an expression; later formulas may use f
  x = 2; y = 3        give variables values (a constant formula gives a value)
  g(t) = t^2 + 1      define a function; derivatives go through its calls
  f                   the expression, and its value at the point
  d/dx f              the derivative; d^2/dx^2 f, diff(f, x) and diff(f, x, 2) too
  d/dr z              by a named expression r (r = x*y): r is the variable, the other
                      names held fixed; the answer is in terms of r
  grad f              every partial derivative; hessian f: every second one
  grad f at x = 2     values for this line only (the session's give the others);
                      :explain f at x = 2 and :graph f at x = 2 too
  :latex d/dx f       LaTeX of an expression or of a command's result
  :propagate m*g*h, m = 2 ± 0.1, g ± 0.01    an uncertainty budget (GUM, first order)
  :newton x^3 - 2*x - 5, x = 2               a root; :minimize f, x = 1 a minimum

Commands:
{commands}
Ctrl-C cancels the line, Ctrl-D leaves. Several statements may share a line: x = 2; f

Formulas: + - * / and ^ for power (** too). -x^2 is -(x^2), 2^3^2 is 2^(3^2),
a/b/c is (a/b)/c. Multiplication is always written: 2*x, not 2x; x*(1+x), not x(1+x).
Pasted symbols work too: {pasted}.
Constants: pi (also π) and e. Names: ASCII letters, digits and _, and Greek letters.
Functions:
{listed}
  and log(x, base), atan2(y, x), hypot(x, y), min(a, b), max(a, b), pow(a, b),
  root(x, n), polygamma(n, x).
abs, sign and heaviside have derivative 0 at 0 (the smallest subgradient); at a tie, min and max
split the derivative equally between their arguments.

Names: a name is one thing at a time, a value, an expression or a function, and the
latest definition wins. Expressions are looked up when used, so f follows later changes
to the names it uses; on the right of its own definition a name keeps its previous
meaning (f = f + 1), and circular definitions are refused. Calls of functions and of
diff are expanded when the line is read. :vars lists the names."""
