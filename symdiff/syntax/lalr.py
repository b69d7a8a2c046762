"""A lean driver for Lark's LALR tables: the same parse as ``Lark.parse``, without its
per-token bookkeeping, for formulas that parse.

``Lark.parse`` makes a :class:`~lark.Token` of every piece of text (parentheses and
operators included), counts lines and columns, and feeds each token through its
interactive parser state: about 5 µs a token, two thirds of reading a long formula. A
formula that parses needs none of that. The driver below reads tokens with Lark's own
scanner (the same compiled regular expression, so the same tokens), makes a ``Token``
only of the terminals a rule keeps (names, numbers, superscripts), and runs Lark's own
table and callbacks (the same shifts and reductions, so the same nodes), in one loop. Each
rule's callback, a chain of Lark's wrappers, is folded into one function where its shape
is one this grammar has (``_lean``); 11 to 17% of a deep formula's parse.

Anything it does not expect stops it with :class:`Unparsed`: a character no terminal
matches, a token the table refuses in its state, an exception from a callback (whose
tokens carry no position here). The caller then parses again with Lark itself, which
reports the error with its line and column, exactly as without the driver. The lexer:
Lark's contextual lexer picks, in each state, the first terminal (in Lark's order) that
matches among those the state accepts; the scanner here picks the first among all. When
that one is accepted, it is also the first among those accepted, so both read the same
token; when it is not, the table refuses it and Lark parses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lark import Lark, Token
from lark.grammar import Terminal
from lark.parse_tree_builder import ChildFilterLALR_NoPlaceholders, ExpandSingleChild
from lark.parsers.lalr_analysis import Shift


class Unparsed(Exception):
    """The driver stopped: parse the text with Lark, which says why."""


Driver = Callable[[str], Any]


def driver(lark: Lark) -> Driver | None:
    """A function parsing text as ``lark.parse`` does, or None where this Lark's parser is
    not shaped as expected (another version's internals): then use ``lark.parse``."""
    try:
        frontend = lark.parser
        lexer = getattr(frontend.lexer, "root_lexer", frontend.lexer)
        patterns = lexer.scanner._mres
        ignore = frozenset(lexer.ignore_types)
        parser = frontend.parser.parser
        table = parser.parse_table
        (start,) = table.start_states.values()
        (end,) = table.end_states.values()
        callbacks: dict[Any, Callable[..., Any]] = {
            rule: callback if isinstance(rule, str) else _lean(callback, len(rule.expansion))
            for rule, callback in parser.callbacks.items()
        }
        # Each action once, as a tuple: (next state, -1, None) shifts; (the rule's
        # nonterminal, its length, its callback) reduces. No rule is hashed or looked into
        # while parsing.
        actions: dict[Any, dict[str, tuple[Any, int, Any]]] = {
            state: {
                kind: (argument, -1, None)
                if action is Shift
                else (argument.origin.name, len(argument.expansion), callbacks[argument])
                for kind, (action, argument) in row.items()
            }
            for state, row in table.states.items()
        }
        on_token = {name: f for name, f in callbacks.items() if isinstance(name, str)}
        kept = frozenset(
            symbol.name
            for rule in lark.rules
            for symbol in rule.expansion
            if isinstance(symbol, Terminal) and not symbol.filter_out
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    if len(patterns) != 1:  # more terminals than one regular expression holds
        return None
    match = patterns[0].match

    def parse(text: str) -> Any:
        state_stack: list[Any] = [start]
        value_stack: list[Any] = []
        push_state, push_value = state_stack.append, value_stack.append
        position, length = 0, len(text)
        while True:
            if position < length:
                found = match(text, position)
                if found is None:
                    raise Unparsed
                kind = found.lastgroup
                position = found.end()
                if kind in ignore:
                    continue
                token = Token(kind, found.group()) if kind in kept else None
                if on_token and kind in on_token:
                    token = on_token[kind](token)
            else:
                kind, token = "$END", None
            while True:  # reduce while the table says so, then shift the token
                try:
                    target, size, callback = actions[state_stack[-1]][kind]
                except KeyError:
                    raise Unparsed from None
                if callback is None:
                    if kind == "$END":
                        raise Unparsed
                    push_state(target)
                    push_value(token)
                    break
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value = callback(children)
                push_state(actions[state_stack[-1]][target][0])
                push_value(value)
                if kind == "$END" and state_stack[-1] == end:
                    return value

    return parse


def _lean(callback: Callable[..., Any], size: int) -> Callable[..., Any]:
    """The same reduction as Lark's ``callback`` for a rule of ``size`` symbols, in one
    call where its shape is one of those this grammar's rules have; otherwise ``callback``.

    Lark builds each rule's callback as a chain: a filter that keeps the children the rule
    keeps (``ChildFilterLALR_NoPlaceholders``: no punctuation, nothing spliced), then for a
    ``?rule`` one that returns a single child as it is (``ExpandSingleChild``), or the
    transformer's method called with the children as arguments (``v_args(inline=True)``).
    Each link is a Python call and a new list; here the chain is one function reading the
    kept children by index: 11 to 17% less time for a deep formula.
    """
    kept = list(range(size))
    link: Any = callback
    if type(link) is ChildFilterLALR_NoPlaceholders:
        if any(splice for _, splice in link.to_include):
            return callback
        kept = [index for index, _ in link.to_include]
        link = link.node_builder
    if type(link) is ExpandSingleChild:
        if len(kept) != 1:  # Lark would make a tree of them, which no method here takes
            return callback
        (i,) = kept
        return lambda children: children[i]
    method = getattr(link, "base_func", None)
    wrapper = getattr(getattr(link, "visit_wrapper", None), "__name__", None)
    if method is None or wrapper != "_vargs_inline":
        return callback
    if len(kept) == 1:
        (i,) = kept
        return lambda children: method(children[i])
    if len(kept) == 2:
        i, j = kept
        return lambda children: method(children[i], children[j])
    return lambda children: method(*[children[k] for k in kept])
