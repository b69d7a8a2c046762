"""Text to expression graph: Lark's LALR parser with a builder that makes nodes.

The builder's methods run as rules reduce, so nodes are built and no parse tree exists;
LALR keeps its own stack, so nesting depth costs memory, not recursion. A formula is read
by the lean driver (``lalr.py``) over Lark's parser as plain data (``machine.py``, shipped
in the wheel), so a start that parses needs no Lark; where the driver stops, Lark itself
parses (loaded then), and its exceptions are translated into :class:`ParseError` with a
caret under the column.
"""

from __future__ import annotations

import functools
import gc
import importlib
import math
import os
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from contextvars import ContextVar
from types import MappingProxyType, SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..deferred import Deferred
from ..errors import ParseError, SymdiffError
from ..ir.memo import Memo
from ..ir.nodes import Expr, constant, make, variable
from ..ir.ops import FUNCTIONS, NAMED_CONSTANTS, OPS
from ..limits import current as current_limits
from . import machine
from .lalr import Driver, driver

if TYPE_CHECKING:
    import difflib

    import lark
    from lark import Lark, Token
    from lark import exceptions as lark_exceptions

    from . import tables
else:  # only an unknown name needs it
    difflib = Deferred("difflib")
    # Lark reads a formula only where the lean driver stops (an error, told with its
    # position by Lark), or where no machine fits the grammar (a checkout reads it off
    # Lark's parser): a formula that parses never loads it.
    lark = Deferred("lark")
    lark_exceptions = Deferred("lark.exceptions")
    tables = Deferred("symdiff.syntax.tables")

# Past this many characters the implicit-multiplication hint quotes tokens, not the line.
_HINT_WIDTH = 60


# The grammar and its tables: inside the installed package, or the checkout's grammar.
# (os.path, not importlib.resources or pathlib: the command line's start pays for imports.)
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGED = os.path.join(_PACKAGE, "grammar")


def grammar_text() -> str:
    """The grammar: shipped inside the package, or read from the checkout."""
    packaged = os.path.join(_PACKAGED, "symdiff.lark")
    if not os.path.isfile(packaged):
        packaged = os.path.join(os.path.dirname(_PACKAGE), "grammar", "symdiff.lark")
    with open(packaged, encoding="utf-8") as file:
        return file.read()


class _Rejected(Exception):
    """Raised by the transformer; ``parse`` adds the text and position."""

    def __init__(self, message: str, token: Token, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.token = token
        self.hint = hint


def _number(text: str) -> int | float:
    if text.isdigit():
        try:
            return int(text)
        except ValueError:  # past Python's limit on digits converted at once
            raise ValueError(f"too long ({len(text)} digits)") from None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("too large for a floating-point number")
    return value


class _Builder:
    """One method per grammar alias, called with the rule's kept children as arguments (a
    token as its text, or Lark's Token); each returns an (interned) node."""

    def number(self, token: Token) -> Expr:
        try:
            return constant(_number(str(token).replace("\u2212", "-")))
        except ValueError as exc:
            raise _Rejected(f"the number {_shorten(str(token))} is {exc}", token) from exc

    def name(self, token: Token) -> Expr:
        _refuse_mixed_lookalikes(token)
        name = canonical_name(str(token))
        if name in NAMED_CONSTANTS:
            return make(NAMED_CONSTANTS[name])
        if name in FUNCTIONS:
            raise _Rejected(
                f"{name} is a function", token, f"call it with parentheses: {name}(...)"
            )
        return variable(name)

    def call(self, token: Token, arguments: list[Expr] | None) -> Expr:
        _refuse_mixed_lookalikes(token)
        name = str(token)
        args = tuple(arguments or ())
        arities = FUNCTIONS.get(name)
        if arities is None:
            raise _Rejected(*_unknown_function(name, token))
        op = arities.get(len(args))
        if op is None:
            raise _Rejected(_wrong_arity(name, arities, len(args)), token)
        return make(op, args)

    def arguments(self, *args: Expr) -> list[Expr]:
        return list(args)

    def add(self, a: Expr, b: Expr) -> Expr:
        return make(OPS["add"], (a, b))

    def sub(self, a: Expr, b: Expr) -> Expr:
        return make(OPS["sub"], (a, b))

    def mul(self, a: Expr, b: Expr) -> Expr:
        return make(OPS["mul"], (a, b))

    def div(self, a: Expr, b: Expr) -> Expr:
        return make(OPS["div"], (a, b))

    def pow(self, a: Expr, b: Expr) -> Expr:
        return make(OPS["pow"], (a, b))

    def neg(self, a: Expr) -> Expr:
        return make(OPS["neg"], (a,))

    def radical(self, a: Expr) -> Expr:
        return make(OPS["sqrt"], (a,))

    def superscript(self, a: Expr, token: Token) -> Expr:
        # x⁻¹² is x^-12: the same graph as the ASCII spelling.
        digits = str(token).translate(_SUPERSCRIPT_DIGITS)
        try:
            exponent = constant(_number(digits.lstrip("-")))
        except ValueError as exc:
            raise _Rejected(f"the exponent {_shorten(str(token))} is {exc}", token) from exc
        return make(
            OPS["pow"], (a, make(OPS["neg"], (exponent,)) if digits[0] == "-" else exponent)
        )


BUILDER = _Builder()


# --- pasted symbols ------------------------------------------------------------------------

_SUPERSCRIPT_DIGITS = str.maketrans(
    "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079", "-0123456789"
)

# Characters that look like ASCII ones but are not aliases (the grammar lists those): an
# error names them and suggests the ASCII character. Fullwidth forms and other
# compatibility characters (fullwidth x, script e, italic x) get their suggestion from
# Unicode's compatibility decomposition.
LOOKALIKES = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2043": "-", "\u02d7": "-", "\u2217": "*", "\u2219": "*", "\u22c6": "*", "\u2715": "*",
    "\u2716": "*", "\u2044": "/", "\u2215": "/", "\u2018": "quote", "\u2019": "quote",
    "\u201c": "quote", "\u201d": "quote", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "\u200b": "nothing", "\u02c6": "^", "\u2038": "^", "\u00b8": ",", "\u201a": ",",
    # Cyrillic letters that look like Latin ones.
    "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c",
    "\u0443": "y", "\u0445": "x", "\u0456": "i", "\u0458": "j", "\u0455": "s",
    "\u0410": "A", "\u0412": "B", "\u0415": "E", "\u041a": "K", "\u041c": "M",
    "\u041d": "H", "\u041e": "O", "\u0420": "P", "\u0421": "C", "\u0422": "T",
    "\u0425": "X", "\u0406": "I", "\u0408": "J", "\u0405": "S",
}  # fmt: skip


# Greek letters drawn exactly like Latin ones. Alone they are Greek names (capital Alpha),
# but in a name with Latin letters ("cos" with an omicron) they are a pasting accident.
GREEK_LOOKALIKES = dict(
    zip(
        "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7\u03bf",
        "ABEZHIKMNOPTYXo",
        strict=True,
    )
)


def _refuse_mixed_lookalikes(token: Token) -> None:
    text = str(token)
    if text.isascii() or not any(char.isascii() and char.isalpha() for char in text):
        return
    for offset, char in enumerate(text):
        latin = GREEK_LOOKALIKES.get(char)
        if latin is not None:
            line, column = getattr(token, "line", None), getattr(token, "column", None)
            where = lark.Token("NAME", char, line=line, column=(column or 1) + offset)
            raise _Rejected(
                f"the name {_shorten(text)} mixes Latin letters with {_describe_char(char)}",
                where,
                f"it looks like '{latin}': type the ASCII '{latin}' instead",
            )


def canonical_name(name: str) -> str:
    """A name as the graph holds it: the micro sign is the Greek mu it stands for."""
    return name.replace("\u00b5", "\u03bc")


def _lookalike_hint(char: str) -> str:
    ascii_form = LOOKALIKES.get(char)
    if ascii_form is None:
        decomposed = unicodedata.normalize("NFKC", char)
        if decomposed != char and decomposed.isascii() and decomposed.isprintable():
            ascii_form = decomposed
    if ascii_form is None:
        return ""
    if ascii_form == "quote":
        return "quotes are not part of a formula: delete it"
    if ascii_form == "nothing":
        return "it is invisible: delete it"
    if ascii_form == " ":
        return "type an ordinary space instead"
    return f"it looks like '{ascii_form}': type the ASCII '{ascii_form}' instead"


def _wrong_arity(name: str, arities: Iterable[int], given: int) -> str:
    counts = " or ".join(str(n) for n in sorted(arities))
    plural = "" if counts == "1" else "s"
    return f"{name} takes {counts} argument{plural}, not {given}"


def _unknown_function(
    name: str, token: Token, known: Iterable[str] = FUNCTIONS
) -> tuple[str, Token, str]:
    if name in NAMED_CONSTANTS:
        return f"{name} is a constant, not a function", token, ""
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean {close[0]}(...)? " if close else ""
    hint += f"if you meant multiplication, write {name}*(...)"
    return f"unknown function {name}", token, hint


def _check_size(text: str) -> None:
    bounds = current_limits()
    if len(text) > bounds.text_length:
        raise SymdiffError(
            f"the formula has {len(text):,} characters, over the limit of "
            f"{bounds.text_length:,} (symdiff.limits(text_length=...) raises it)"
        )
    if text.count("(") > bounds.nesting_depth:
        depth = deepest = 0
        for char in text:
            if char == "(":
                depth += 1
                deepest = max(deepest, depth)
            elif char == ")":
                depth -= 1
        if deepest > bounds.nesting_depth:
            raise SymdiffError(
                f"the formula nests {deepest:,} parentheses deep, over the limit of "
                f"{bounds.nesting_depth:,} (symdiff.limits(nesting_depth=...) raises it)"
            )


def _lark(builder: _Builder | None = None) -> Lark:
    """Lark's parser with ``builder`` (the plain one by default), made once."""
    return _lark_with(builder or BUILDER)


@functools.cache
def _lark_with(builder: _Builder) -> Lark:
    """Lark's parser, from the tables the wheel ships when they fit this grammar and Lark;
    otherwise built once into Lark's per-user cache (a checkout, or another Lark)."""
    grammar = grammar_text()
    transformer = _for_lark(builder)
    shipped = os.path.join(_PACKAGED, tables.TABLES_FILE)
    if os.path.isfile(shipped):
        key = tables.tables_key(grammar, _lark_version())
        try:
            with open(shipped, "rb") as file:
                if file.readline() == key:
                    # Lark.load takes no transformer; _load is what Lark's own cache calls.
                    parser: Lark = lark.Lark.__new__(lark.Lark)._load(file, transformer=transformer)
                    return parser
        except Exception:  # unreadable or damaged tables: build them, as with none
            pass
    return lark.Lark(grammar, **tables.LARK_OPTIONS, transformer=transformer, cache=True)


def _lark_version() -> str:
    # A deferred module answers no dunder: the version is read off the module itself.
    return str(importlib.import_module("lark").__version__)


def _for_lark(builder: _Builder) -> object:
    """``builder`` as Lark's transformer: Lark calls a rule's callback with the list of
    the children it keeps; the builder's methods take them as arguments."""

    def spread(method: Callable[..., Expr]) -> Callable[[list[Any]], Expr]:
        return lambda children: method(*children)

    methods = {
        name: spread(getattr(builder, name)) for name in dir(builder) if not name.startswith("_")
    }
    return SimpleNamespace(**methods)


@functools.cache
def _machine() -> dict[str, Any] | None:
    """Lark's parser as data (``machine.py``): shipped in the wheel when it fits the grammar
    and this Python, otherwise read off Lark's parser (a checkout: Lark is loaded)."""
    grammar = grammar_text()
    try:
        with open(os.path.join(_PACKAGED, machine.MACHINE_FILE), "rb") as file:
            shipped = machine.load(file.read(), grammar)
    except OSError:
        shipped = None
    return shipped if shipped is not None else machine.machine(_lark())


@functools.cache
def _driver(builder: _Builder) -> Driver | None:
    data = _machine()
    return None if data is None else driver(data, builder)


def _run(builder: _Builder, text: str) -> Expr:
    """The lean driver's parse (``lalr.py``), or Lark's own where the driver stops: an
    error, told with its position by Lark (a formula with an error is read twice)."""
    lean = _driver(builder)
    if lean is not None:
        try:
            result: Expr = lean(text)
            return result
        except Exception:  # Unparsed, or a callback's error: Lark raises it with positions
            pass
    return _lark(builder).parse(text)  # type: ignore[return-value]


def parse_uncached(text: str) -> Expr:
    """Parse ``text`` into an expression graph; raises :class:`ParseError`."""
    return _parse_with(BUILDER, text)


def _parse_with(builder: _Builder, text: str) -> Expr:
    if not isinstance(text, str):
        raise SymdiffError(f"a formula is a string, not {type(text).__name__}")
    if not text.strip():
        raise ParseError("empty formula", text, 1, 1, "expected an expression")
    _check_size(text)
    # Parsing makes no reference cycles (a graph of interned nodes is acyclic), so the cyclic
    # garbage collector has nothing to find in what it builds; on a long formula its passes
    # over the growing graph cost about a sixth of the parse. It is paused meanwhile.
    paused = len(text) >= _PAUSE_COLLECTOR_FROM and gc.isenabled()
    if paused:
        gc.disable()
    try:
        result = _run(builder, text)
    except _Rejected as exc:
        line, column = exc.token.line or 1, exc.token.column or 1
        raise ParseError(exc.message, text, line, column, exc.hint) from None
    except lark_exceptions.UnexpectedInput as exc:
        raise _translate(exc, text, _lark(builder)) from None
    except lark_exceptions.LarkError as exc:  # anything else Lark may raise is still a parse error
        raise ParseError(f"cannot parse this formula: {exc}", text, 1, 1) from None
    finally:
        if paused:
            gc.enable()
    return result


# Formulas at least this long parse with the cyclic garbage collector paused.
_PAUSE_COLLECTOR_FROM = 10_000


class ParseCache(Memo[str, Expr]):
    """Recently parsed texts and their graphs, bounded by count and by total length.

    A graph costs about 100 bytes per character of its text, so a bound by count alone
    would let a few thousand long formulas hold gigabytes; texts longer than a quarter of
    the budget are not kept at all. Safe to share between threads (``ir.memo.Memo``).
    """

    def __init__(self, max_entries: int = 4096, max_characters: int = 1_000_000) -> None:
        super().__init__(max_entries, max_characters)

    def parse(self, text: str) -> Expr:
        found = self.get(text)
        return found if found is not None else self.parse_new(text)

    def parse_new(self, text: str) -> Expr:
        """Parse a text not remembered, and remember it."""
        result = parse_uncached(text)
        self.put(text, result, len(text))
        return result

    def cache_info(self) -> CacheInfo:
        hits, misses, entries, characters = self.info()
        return CacheInfo(hits, misses, entries, characters)

    def cache_clear(self) -> None:
        self.clear()


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    entries: int
    characters: int


_CACHE = ParseCache()


def parse(text: str) -> Expr:
    """Parse ``text`` into an expression graph, remembering recent texts (a bounded LRU)."""
    if type(text) is not str:
        return parse_uncached(text)  # raises the error for a non-string
    found = _CACHE.get(text)  # ParseCache.parse, one call less on a hit
    return found if found is not None else _CACHE.parse_new(text)


def as_expr(expr: Expr | str) -> Expr:
    """An expression from text (parsed once and remembered) or an expression itself."""
    if type(expr) is Expr:
        return expr
    if isinstance(expr, str):
        return parse(expr)
    raise SymdiffError(f"expected a formula (a string) or an Expr, not {type(expr).__name__}")


def as_exprs(exprs: object, what: str) -> list[Expr]:
    """A list of formulas (each a string or an Expr), for ``what`` to name in its error."""
    if isinstance(exprs, str | Expr | bytes | Mapping) or not isinstance(exprs, Iterable):
        raise SymdiffError(
            f"{what} takes a list of formulas (strings or Exprs), not {type(exprs).__name__}"
        )
    return [as_expr(e) for e in exprs]  # as_expr checks each


parse.cache_info = _CACHE.cache_info  # type: ignore[attr-defined]
parse.cache_clear = _CACHE.cache_clear  # type: ignore[attr-defined]


# --- functions supplied for one parse (the REPL's user-defined functions) -----------


class ExtraFunction(Protocol):
    """A function outside the op table, for :func:`parse_with_functions`.

    ``arities`` are the argument counts it accepts; called with the argument nodes, it
    returns the node that stands for the call (a user function inlines its body). A
    :class:`SymdiffError` it raises is reported with a caret under the function's name.
    """

    @property
    def arities(self) -> Collection[int]: ...

    def __call__(self, *args: Expr) -> Expr: ...


# The functions of the parse_with_functions call in progress; a context variable, so
# concurrent parses in threads or tasks do not see each other's functions.
_extra_functions: ContextVar[Mapping[str, ExtraFunction]] = ContextVar(
    "symdiff_extra_functions", default=MappingProxyType({})
)


class _ExtensibleBuilder(_Builder):
    """The builder, also knowing the current extra functions. Built-in names win."""

    def name(self, token: Token) -> Expr:
        name = str(token)
        if name in _extra_functions.get() and name not in NAMED_CONSTANTS:
            raise _Rejected(
                f"{name} is a function", token, f"call it with parentheses: {name}(...)"
            )
        return super().name(token)

    def call(self, token: Token, arguments: list[Expr] | None) -> Expr:
        name, extra = str(token), _extra_functions.get()
        function = extra.get(name)
        if name in FUNCTIONS:
            return super().call(token, arguments)
        if function is None:
            raise _Rejected(*_unknown_function(name, token, [*FUNCTIONS, *extra]))
        args = tuple(arguments or ())
        if len(args) not in function.arities:
            raise _Rejected(_wrong_arity(name, function.arities, len(args)), token)
        try:
            return function(*args)
        except SymdiffError as exc:
            raise _Rejected(str(exc), token) from None


# The builders hold no state (the extra functions are a context variable): one of each.
EXTENSIBLE_BUILDER = _ExtensibleBuilder()


def parse_with_functions(text: str, functions: Mapping[str, ExtraFunction]) -> Expr:
    """Parse ``text`` knowing ``functions`` besides the built-in ones; never cached.

    ``parse`` itself is untouched: a separate parser serves these calls.
    """
    token = _extra_functions.set(functions)
    try:
        return _parse_with(EXTENSIBLE_BUILDER, text)
    finally:
        _extra_functions.reset(token)


# --- Lark's errors, told in the language of the formula -----------------------------


def _translate(exc: lark_exceptions.UnexpectedInput, text: str, parser: Lark) -> ParseError:
    if isinstance(exc, lark_exceptions.UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        hint = _expected(_accepted_after(parser, text[:position]) or exc.allowed)
        if char and not char.isascii() and unicodedata.category(char).startswith("L"):
            hint = "names use ASCII and Greek letters only; " + hint
        lookalike = _lookalike_hint(char) if char else ""
        if lookalike:
            hint = f"{lookalike}; {hint}" if hint else lookalike
        return ParseError(
            f"unexpected character {_describe_char(char)}", text, exc.line, exc.column, hint
        )
    if isinstance(exc, lark_exceptions.UnexpectedToken):
        token = exc.token
        prefix = text if token.type == "$END" else text[: token.start_pos or 0]
        expected = _accepted_after(parser, prefix) or exc.accepts or exc.expected
        if token.type == "$END":
            line, column = _end_position(text)
            return ParseError("unexpected end of formula", text, line, column, _expected(expected))
        line, column = token.line or 1, token.column or 1
        previous = _previous_token(exc)
        misread = _misread(text, previous, token)
        if misread is not None:
            summary, hint = misread
            return ParseError(summary, text, line, column, hint)
        after_operand = previous is not None and previous.type in _ENDS_OPERAND
        if token.type in _STARTS_OPERAND and after_operand:
            return ParseError(
                "implicit multiplication is not supported",
                text,
                line,
                column,
                f"did you mean {_insert_star(text, token)}?",
            )
        return ParseError(
            f"unexpected {_describe_token(token)}", text, line, column, _expected(expected)
        )
    line, column = getattr(exc, "line", 1), getattr(exc, "column", 1)
    return ParseError("cannot parse this formula", text, line, column)


def _accepted_after(parser: Lark, prefix: str) -> set[str]:
    """The terminals that may follow ``prefix``, which parsed without error.

    The parser's own error comes after LALR has reduced what it read ("sin(x" is reduced
    to a finished argument before the end is seen), so it would not list "*" or "^" as
    possible; feeding the prefix again and asking then gives the whole list.
    """
    try:
        interactive = parser.parse_interactive(prefix)
        interactive.exhaust_lexer()
        # What may follow depends only on the parser's stack of states; asking means a trial
        # parse per terminal, so the answer is kept for short stacks (a batch of bad lines
        # meets the same few again and again).
        stack = (id(parser), *interactive.parser_state.state_stack)
        accepted = _ACCEPTED.get(stack)
        if accepted is None:
            accepted = frozenset(interactive.accepts())  # type: ignore[no-untyped-call]
            if len(stack) <= _ACCEPTED_STACK and len(_ACCEPTED) < _ACCEPTED_ENTRIES:
                _ACCEPTED[stack] = accepted
        return set(accepted)
    except Exception:  # only a better message is at stake
        return set()


# The terminals accepted after a stack of parser states (for parse errors), by parser and
# stack; the parsers live as long as the process (_lark is cached), so their ids are stable.
_ACCEPTED: dict[tuple[int, ...], frozenset[str]] = {}
_ACCEPTED_STACK = 64
_ACCEPTED_ENTRIES = 4096


def _previous_token(exc: lark_exceptions.UnexpectedToken) -> Token | None:
    history = getattr(exc, "token_history", None)
    if history and history[-1] is not None:
        return history[-1]  # type: ignore[no-any-return]
    return None


_DERIVATIVE_PREFIX = re.compile(
    r"\s*d(\^(?P<order>\d+))?\s*/\s*d(?P<variable>[^\W\d]\w*)(\^\d+)?\s+"
)
_RADIX_PREFIX = re.compile(r"[xXoObB][0-9a-fA-F_]+")


def _misread(text: str, previous: Token | None, token: Token) -> tuple[str, str] | None:
    """Juxtapositions that are not a missing ``*``: number syntax from programming
    languages, a function name without parentheses, the REPL's ``d/dx``."""
    if previous is None or (token.type != "NAME" and token.type != "NUMBER"):
        return None
    after = str(token)
    match = _DERIVATIVE_PREFIX.match(text)
    if match and (token.start_pos or 0) == match.end():
        rest, name = _shorten(text[match.end() :].strip()), match["variable"]
        order = match["order"]
        option, argument = (f" --order {order}", f", order={order}") if order else ("", "")
        return (
            "d/dx is the REPL's notation, not part of a formula",
            f"for a derivative write: symdiff diff '{rest}' {name}{option}"
            f" (in Python: symdiff.derivative('{rest}', '{name}'{argument}))",
        )
    if previous.type == "NUMBER" and token.type == "NAME":
        number = str(previous)
        if after.startswith("_") and number.isdigit():
            return (
                "numbers are written without digit separators",
                f"write {number}{after.replace('_', '')}",
            )
        if number == "0" and _RADIX_PREFIX.fullmatch(after):
            try:
                value = int(number + after, 0)
            except ValueError:
                return ("numbers are written in decimal", "")
            return ("numbers are written in decimal", f"write {value}")
    if previous.type == "NAME" and str(previous) in FUNCTIONS:
        name = str(previous)
        return (
            f"{name} is a function: its argument goes in parentheses",
            f"did you mean {name}({_shorten(after)})?",
        )
    return None


def _insert_star(text: str, token: Token) -> str:
    position = token.start_pos or 0
    before, after = text[:position].rstrip(), text[position:]
    fixed = f"{before}*{after}"
    if len(fixed) <= _HINT_WIDTH and "\n" not in fixed:
        return fixed
    left = before.split()[-1][-20:] if before.split() else ""
    return f"{left}*{token}"


def _end_position(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    lines = stripped.split("\n")
    return len(lines), len(lines[-1]) + 1


_TERMINALS = {
    "$END": "the end of the formula",
    "RPAR": "')'",
    "COMMA": "','",
    "NUMBER": "a number",
    "NAME": "a name",
    "LPAR": "'('",
    "PLUS": "'+'",
    "_MINUS": "'-'",
    "_TIMES": "'*'",
    "_DIVIDE": "'/'",
    "CIRCUMFLEX": "'^'",
    "__ANON_0": "'**'",
}
# Tokens that end and that start an operand: one right after the other is a missing '*'.
_ENDS_OPERAND = frozenset({"NUMBER", "NAME", "RPAR", "SUPERSCRIPT"})
_STARTS_OPERAND = frozenset({"NUMBER", "NAME", "LPAR", "_RADICAL"})
# The pasted aliases are accepted, never suggested.
_UNLISTED = frozenset({"SUPERSCRIPT", "_RADICAL"})
_ORDER = list(_TERMINALS)


def _expected(names: set[str] | frozenset[str] | None) -> str:
    if not names:
        return ""
    names = {n for n in names if n not in _UNLISTED}
    known = sorted((n for n in names if n in _TERMINALS), key=lambda n: _ORDER.index(n))
    described = [_TERMINALS[n] for n in known] + sorted(n for n in names if n not in _TERMINALS)
    if len(described) == 1:
        return f"expected {described[0]}"
    return "expected " + ", ".join(described[:-1]) + " or " + described[-1]


def _describe_token(token: Token) -> str:
    if token.type == "NUMBER":
        return f"number {_shorten(str(token))}"
    if token.type == "NAME":
        return f"name {_shorten(str(token))}"
    return f"'{token}'"


def _describe_char(char: str) -> str:
    if not char:
        return "(end of formula)"
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    if char.isascii() and char.isprintable() and char != " ":
        return f"'{char}'"
    if char.isprintable() and not char.isspace():
        return f"'{char}' ({code} {name})".rstrip()
    return f"{code} {name}".rstrip()


def _shorten(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
