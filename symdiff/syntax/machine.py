"""Lark's LALR parser for the grammar as plain data: what the lean driver (``lalr.py``) needs
to read a formula, with no Lark object, so that a start that parses needs no Lark at all.

The data are Lark's own decisions, read off a Lark parser built for the grammar: its
scanner's regular expression, its table of shifts and reductions, and for each rule what
Lark's callback chain does with the rule's children (which it keeps, where it puts a
``None`` for an absent ``[optional]``, which it splices in from an inlined ``_rule``,
whether a ``?rule`` hands on a single child as it is) and the name of the method it calls.
The wheel's build (``hatch_build.py``, which loads this file alone, without the package)
saves them next to the packaged grammar with ``marshal``; ``parser.py`` loads them when their
key fits the grammar and this Python's ``marshal``, and otherwise reads them off Lark's
parser (a checkout). Lark still reports every error: where the driver stops, Lark parses.

Lark's classes are recognised by name, not imported: this module imports nothing from Lark
or symdiff, and another Lark whose parser is shaped otherwise gives None (no data, Lark
parses everything).
"""

from __future__ import annotations

import marshal
import zlib
from typing import Any

# The saved data, next to the grammar inside the package.
MACHINE_FILE = "symdiff.lark.machine"

_FORMAT = b"symdiff-lalr-machine 1"

# A rule's slot that splices in the children of an inlined rule's value is ~index (< 0).
Slot = int | None


def machine_key(grammar: str) -> bytes:
    """The first line of a machine file: the format, this Python's ``marshal`` format and a
    digest of the grammar (the table is Lark's, built for exactly that text)."""
    digest = zlib.crc32(grammar.encode())
    return b"%s marshal=%d grammar=%08x/%d\n" % (_FORMAT, marshal.version, digest, len(grammar))


def save(data: dict[str, Any], grammar: str) -> bytes:
    """The contents of a machine file for ``data`` read off a parser of ``grammar``."""
    return machine_key(grammar) + marshal.dumps(data)


def load(content: bytes, grammar: str) -> dict[str, Any] | None:
    """The data a machine file holds, or None if it was saved for another grammar, another
    ``marshal`` format, or is damaged."""
    key, _, saved = content.partition(b"\n")
    if key + b"\n" != machine_key(grammar):
        return None
    try:
        data = marshal.loads(saved)
    except (EOFError, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == _FORMAT.decode() else None


def machine(parser: Any) -> dict[str, Any] | None:
    """The data of a Lark LALR ``parser`` (``Lark(grammar, parser="lalr", ...)``), or None
    where it is not shaped as this grammar's parser is (another version's internals, Earley,
    several regular expressions, a callback chain of another kind)."""
    try:
        frontend = parser.parser
        lexer = getattr(frontend.lexer, "root_lexer", frontend.lexer)
        patterns = lexer.scanner._mres
        lalr = frontend.parser.parser
        table = lalr.parse_table
        (start,) = table.start_states.values()
        (end,) = table.end_states.values()
        rules: list[Any] = []
        index: dict[Any, int] = {}
        states: dict[int, dict[str, tuple[int, int]]] = {}
        for state, row in table.states.items():
            actions: dict[str, tuple[int, int]] = {}
            for kind, (action, argument) in row.items():
                if action.name == "Shift":
                    actions[str(kind)] = (0, int(argument))  # shift, to that state
                    continue
                if argument not in index:
                    described = _rule(argument, lalr.callbacks[argument])
                    if described is None:
                        return None
                    index[argument] = len(rules)
                    rules.append(described)
                actions[str(kind)] = (1, index[argument])  # reduce by that rule
            states[int(state)] = actions
        kept = sorted(
            {
                symbol.name
                for rule in parser.rules
                for symbol in rule.expansion
                if symbol.is_term and not symbol.filter_out
            }
        )
        if len(patterns) != 1 or any(isinstance(name, str) for name in lalr.callbacks):
            return None  # several expressions, or callbacks for tokens: Lark's own
        return {
            "format": _FORMAT.decode(),
            "pattern": patterns[0].pattern,
            "flags": int(patterns[0].flags),
            "ignore": sorted(str(name) for name in lexer.ignore_types),
            "kept": kept,
            "start": int(start),
            "end": int(end),
            "rules": rules,
            "states": states,
        }
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


# Lark's links of a callback chain other than the filter and ExpandSingleChild.
_WRAPPERS = frozenset(
    (
        "ChildFilter",
        "ChildFilterLALR",
        "ChildFilterLALR_NoPlaceholders",
        "ExpandSingleChild",
        "PropagatePositions",
        "AmbiguousExpander",
        "AmbiguousIntermediateExpander",
    )
)


def _rule(rule: Any, callback: Any) -> list[Any] | None:
    """``[nonterminal, length, method name, slots, expand single child]`` for a rule and the
    callback chain Lark built for it, or None for a link of a kind not known here."""
    size = len(rule.expansion)
    slots: list[Slot] = list(range(size))
    link = callback
    name = type(link).__name__
    if name == "ChildFilterLALR_NoPlaceholders":
        slots = [~i if splice else i for i, splice in link.to_include]
        link = link.node_builder
    elif name == "ChildFilterLALR":
        slots = []
        for i, splice, add_none in link.to_include:
            slots += [None] * add_none
            slots.append(~i if splice else i)
        slots += [None] * link.append_none
        link = link.node_builder
    expand = type(link).__name__ == "ExpandSingleChild"
    if expand:
        link = link.node_builder
    if type(link).__name__ in _WRAPPERS:
        return None  # positions, ambiguity or a second filter: Lark's own chain
    method = rule.alias or rule.options.template_source or rule.origin.name
    return [str(rule.origin.name), size, str(method), slots, expand]
