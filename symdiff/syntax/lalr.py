"""A lean driver for Lark's LALR tables: the same parse as ``Lark.parse``, without its
per-token bookkeeping and without Lark itself, for formulas that parse.

``Lark.parse`` makes a :class:`~lark.Token` of every piece of text (parentheses and
operators included), counts lines and columns, and feeds each token through its
interactive parser state: about 5 µs a token, two thirds of reading a long formula. A
formula that parses needs none of that. The driver below runs on Lark's parser as plain
data (``machine.py``): it reads tokens with the regular expression of Lark's scanner (the
same tokens), keeps the text of the terminals a rule keeps (names, numbers, superscripts),
and runs Lark's table with each rule's callback folded into one function (the same shifts
and reductions, and the builder's method called with the children Lark's callback chain
would give it: so the same nodes), in one loop, where the chains of unit rules that only
hand a value on are followed once, when the driver is made (``_gotos``: parsing takes 70
to 80% of the instructions it took with a turn of the loop for each). Nothing here imports
Lark: a start that parses a formula (the command line's, every ``import symdiff``) never
loads it.

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

import re
from collections.abc import Callable
from typing import Any


class Unparsed(Exception):
    """The driver stopped: parse the text with Lark, which says why."""


Driver = Callable[[str], Any]
Reduction = Callable[[list[Any]], Any]


def driver(data: dict[str, Any], builder: object) -> Driver | None:
    """A function parsing text as Lark's parser that ``data`` describes (``machine.py``)
    does with ``builder`` as its transformer (each rule's method called with the rule's
    children as arguments), or None where a rule needs what ``builder`` has not."""
    try:
        reductions = [_reduction(rule, builder) for rule in data["rules"]]
        terminals = {kind for row in data["states"].values() for kind in row} - {
            rule[0] for rule in data["rules"]
        }
        # Each action once, as a tuple: (next state, -1, None) shifts; (the rule's
        # nonterminal, its length, its callback) reduces. No rule is looked into while
        # parsing.
        actions: dict[int, dict[str, tuple[Any, int, Reduction | None]]] = {}
        for state, row in data["states"].items():
            actions[state] = {}
            for kind, (reduce, target) in row.items():
                if not reduce:
                    actions[state][kind] = (target, -1, None)
                    continue
                reduction = reductions[target]
                if reduction is None:
                    return None
                origin, size = data["rules"][target][:2]
                actions[state][kind] = (origin, size, reduction)
        match = re.compile(data["pattern"], data["flags"]).match
        ignore = frozenset(data["ignore"])
        kept = frozenset(data["kept"])
        start, end = data["start"], data["end"]
        gotos = _gotos(data, actions, terminals | {"$END"})
    except (KeyError, TypeError, ValueError, re.error):
        return None
    if any(hasattr(builder, name) for name in terminals):
        return None  # Lark would call it for each such token: its own parse, not this one

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
                token = found.group() if kind in kept else None
            else:
                kind, token = "$END", None
            while True:  # reduce while the table says so, then shift the token
                try:
                    target, size, callback = actions[state_stack[-1]][kind]  # type: ignore[index]
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
                push_state(gotos[state_stack[-1]][target][kind])  # type: ignore[index]
                push_value(value)
                if kind == "$END" and state_stack[-1] == end:
                    return value

    return parse


def _gotos(
    data: dict[str, Any],
    actions: dict[int, dict[str, tuple[Any, int, Reduction | None]]],
    kinds: set[str],
) -> dict[int, dict[str, dict[str, int]]]:
    """``gotos[state][nonterminal][kind]``: the state to push after reducing to
    ``nonterminal`` over ``state``, with ``kind`` the next token, past the unit rules the
    table would reduce next.

    A unit rule that hands its one child on (``?sum: product``) pops the state just pushed
    and pushes another over the same ``state``, the value unchanged: ``x`` in ``(x + 1)``
    is reduced through atom, power, product and sum before ``+`` is shifted. Which rules
    follow depends only on the state below, the nonterminal and the next token, so the
    chain is followed here, once, instead of a turn of the loop for each of its rules.
    (The end state has no action, so no chain passes it.)
    """
    rules = data["rules"]
    # In each state, the nonterminal each token makes a unit rule hand its child on to.
    passes: dict[int, dict[str, str]] = {state: {} for state in actions}
    for state in actions:
        for kind, (reduce, target) in data["states"][state].items():
            if not reduce:
                continue
            origin, size, _name, slots, expand = rules[target]
            if expand and size == 1 and list(slots) == [0]:
                passes[state][kind] = origin
    gotos: dict[int, dict[str, dict[str, int]]] = {}
    for state, row in actions.items():
        gotos[state] = {}
        for symbol, (target, _size, callback) in row.items():
            if callback is not None or symbol in kinds:
                continue  # an action on a token, not a goto on a nonterminal
            finals: dict[str, int] = {}
            for kind in kinds:
                pushed = target
                while (origin := passes[pushed].get(kind)) is not None:
                    pushed = actions[state][origin][0]
                finals[kind] = pushed
            gotos[state][symbol] = finals
    return gotos


def _reduction(rule: list[Any], builder: object) -> Reduction | None:
    """What Lark's callback chain for ``rule`` does, as one function of the children.

    Lark keeps the children the rule keeps (no punctuation), puts None for an absent
    ``[optional]``, splices in the children of an inlined ``_rule``'s value; a ``?rule``
    then hands a single child on as it is; otherwise the rule's method is called with the
    kept children as arguments (``v_args(inline=True)``). The common shapes read the kept
    children by index in one call: 11 to 17% of a deep formula's parse.
    """
    origin, _size, name, slots, expand = rule
    plain = all(type(slot) is int and slot >= 0 for slot in slots)
    if expand and plain and len(slots) == 1:
        (i,) = slots
        return lambda children: children[i]
    method = None if name.startswith("_") else getattr(builder, name, None)
    if method is None:
        if not origin.startswith("_"):
            return None  # Lark would build a tree of it, which no method here takes
        method = _children  # an inlined rule's value: its children, spliced where used
    if plain and not expand:
        if len(slots) == 1:
            (i,) = slots
            return lambda children: method(children[i])
        if len(slots) == 2:
            i, j = slots
            return lambda children: method(children[i], children[j])

    def reduce(children: list[Any]) -> Any:
        kept: list[Any] = []
        for slot in slots:
            if slot is None:
                kept.append(None)
            elif slot >= 0:
                kept.append(children[slot])
            else:
                kept.extend(children[~slot])
        if expand and len(kept) == 1:
            return kept[0]
        return method(*kept)

    return reduce


def _children(*children: Any) -> list[Any]:
    return list(children)
