"""Expression graph to LaTeX: fractions, powers, roots and named functions.

The LaTeX backend is one table, ``_LATEX``, from each op's key to how it is written. The
walk is the text printer's (iterative, so depth is no limit), and so is the decision about
parentheses (``precedence.needs_parentheses``): LaTeX has brackets exactly where text has
them, except where its own structure delimits an argument or binds differently:

- ``\\frac{a}{b}``, an exponent's ``^{...}`` and a function's ``\\left( \\right)``
  delimit their arguments, so those never get more brackets;
- a fraction, ``e^{x}``, a root, ``\\left|x\\right|`` and ``\\log_{10}`` bind like a
  power (no brackets as a factor, brackets as a base); ``-\\frac{a}{b}``, for ``(-a)/b``,
  binds like a negation;
- a product is written by juxtaposition, with ``\\cdot`` where the right factor starts
  with a digit or a minus sign (``2 \\cdot 3``, ``x \\cdot -y``), which would otherwise
  read as one number or as a difference.

Greek names become their commands.
"""

from __future__ import annotations

from collections.abc import Callable

from ..ir.nodes import Expr, is_constant, is_variable
from ..ir.ops import OPS
from .precedence import ATOM, POWER, PRODUCT, SUM, UNARY, needs_parentheses, precedence
from .printer import emit

# fmt: off
_GREEK = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega",
]
# fmt: on
_GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξοπρστυφχψω", _GREEK, strict=True))
_GREEK_LETTERS |= {k.upper(): v.capitalize() for k, v in _GREEK_LETTERS.items()}
# Final sigma and the variant letter forms (theta, phi, epsilon, pi, rho, kappa).
_GREEK_LETTERS |= {
    "\u03c2": "varsigma",
    "\u03d1": "vartheta",
    "\u03d5": "phi",
    "\u03f5": "epsilon",
    "\u03d6": "varpi",
    "\u03f1": "varrho",
    "\u03f0": "varkappa",
}
# Greek letters LaTeX has no command for, because they look like Latin ones.
_LATIN_LOOKALIKES = {
    "Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I",
    "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T", "Chi": "X",
    "omicron": "o",
}  # fmt: skip
Pieces = list[str | Expr]

_NEG = OPS["neg"]


def _name(name: str) -> str:
    """theta0 -> \\theta_{0}, x_1 -> x_{1}, θ -> \\theta, rate -> \\mathrm{rate}."""
    stem, _, subscript = name.partition("_")
    if not subscript:
        digits = len(stem) - len(stem.rstrip("0123456789"))
        if digits and digits < len(stem):
            stem, subscript = stem[:-digits], stem[-digits:]
    letter = _GREEK_LETTERS.get(stem, stem)
    if letter in _LATIN_LOOKALIKES:
        stem = _LATIN_LOOKALIKES[letter]
    elif letter in _GREEK or (letter.lower() in _GREEK and letter[0].isupper()):
        stem = f"\\{letter}"
    elif len(stem) > 1:
        stem = f"\\mathrm{{{stem}}}"
    return f"{stem}_{{{_name(subscript) if subscript else ''}}}" if subscript else stem


def _number(value: int | float) -> str:
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa in ("1", "1.0") else f"{mantissa} \\cdot {power}"
    return text


def to_latex(root: Expr) -> str:
    return emit(root, _expand)


def _expand(node: Expr) -> Pieces:
    if is_constant(node):
        return [_number(node.payload)]  # type: ignore[arg-type]
    if is_variable(node):
        return [_name(str(node.payload))]
    return _LATEX[node.op.key](node)


# --- how tightly each form binds -------------------------------------------------------

# Where LaTeX's form binds differently from the text's (``precedence.OPERATORS``). Forms
# that carry their own super- or subscript, radical or bars bind like a power: no brackets
# as a factor, brackets as the base of a power ((\\sqrt{x})^{3}, not \\sqrt{x}^{3}).
_LEVELS: dict[str, Callable[[Expr], int]] = {
    "div": lambda node: UNARY if _negated_numerator(node) else POWER,
    **{
        key: lambda node: POWER
        for key in ("exp", "exp2", "root", "sqrt", "cbrt", "abs", "log10", "log2")
    },
    # e^{x} - 1 is a difference.
    "expm1": lambda node: SUM,
}


def _level(node: Expr) -> int:
    """How tightly ``node``'s LaTeX binds, on the precedence table's scale."""
    if is_constant(node):
        # 1e30 is written 10^{30} and 1.5e30 as 1.5 \cdot 10^{30}: a power and a product.
        shown = _number(node.payload)  # type: ignore[arg-type]
        return PRODUCT if "\\cdot" in shown else POWER if "^" in shown else ATOM
    level = _LEVELS.get(node.op.key)
    return precedence(node) if level is None else level(node)


def _negated_numerator(node: Expr) -> bool:
    """(-a)/b, printed -\\frac{a}{b} rather than \\frac{-a}{b}."""
    return node.args[0].op is _NEG


def _operand(node: Expr, position: int) -> Pieces:
    arg = node.args[position]
    if needs_parentheses(node, arg, position, _level):
        return ["\\left(", arg, "\\right)"]
    return [arg]


# --- the table: one writer per op --------------------------------------------------------


def _add(node: Expr) -> Pieces:
    return [*_operand(node, 0), " + ", *_operand(node, 1)]


def _sub(node: Expr) -> Pieces:
    return [*_operand(node, 0), " - ", *_operand(node, 1)]


def _mul(node: Expr) -> Pieces:
    right = _operand(node, 1)
    # Juxtaposed, 2 3 would read as 23 and x -y as a difference.
    clashes = _level(node.args[1]) == UNARY or _starts_with_digit(node.args[1])
    joiner = " \\cdot " if len(right) == 1 and clashes else " "
    return [*_operand(node, 0), joiner, *right]


def _div(node: Expr) -> Pieces:
    numerator, denominator = node.args
    if _negated_numerator(node):
        return ["-\\frac{", numerator.args[0], "}{", denominator, "}"]
    return ["\\frac{", numerator, "}{", denominator, "}"]


def _neg(node: Expr) -> Pieces:
    return ["-", *_operand(node, 0)]


def _pow(node: Expr) -> Pieces:
    base, exponent = node.args
    command = _POWERED.get(base.op.key)
    if command is not None and is_constant(exponent):
        # sin(x)^2 as \sin^{2}\left(x\right)
        return [f"{command}^{{", exponent, "}\\left(", base.args[0], "\\right)"]
    return [*_operand(node, 0), "^{", exponent, "}"]


def _log_base(node: Expr) -> Pieces:
    x, base = node.args
    return ["\\log_{", base, "}\\left(", x, "\\right)"]


def _polygamma(node: Expr) -> Pieces:
    n, x = node.args
    return ["\\psi^{(", n, ")}\\left(", x, "\\right)"]


def _log1p(node: Expr) -> Pieces:
    x = node.args[0]
    if x.op is not _NEG:
        return ["\\ln\\left(1 + ", x, "\\right)"]
    # log1p(-y) as \ln(1 - y), with brackets where y is a sum
    inner = x.args[0]
    shown: Pieces = ["\\left(", inner, "\\right)"] if _level(inner) < PRODUCT else [inner]
    return ["\\ln\\left(1 - ", *shown, "\\right)"]


def _root(node: Expr) -> Pieces:
    x, n = node.args
    return ["\\sqrt[", n, "]{", x, "}"]


def _symbol(text: str) -> Callable[[Expr], Pieces]:
    return lambda node: [text]


def _around(opening: str, closing: str) -> Callable[[Expr], Pieces]:
    return lambda node: [opening, node.args[0], closing]


def _call(command: str) -> Callable[[Expr], Pieces]:
    def write(node: Expr) -> Pieces:
        parts: Pieces = [command, "\\left("]
        for i, arg in enumerate(node.args):
            parts.extend((", ", arg) if i else (arg,))
        parts.append("\\right)")
        return parts

    return write


def _operatorname(name: str) -> str:
    return f"\\operatorname{{{name}}}"


# Functions written as a command applied to bracketed arguments.
_COMMANDS = {
    "sin": "\\sin", "cos": "\\cos", "tan": "\\tan", "sec": "\\sec", "csc": "\\csc",
    "cot": "\\cot", "asin": "\\arcsin", "acos": "\\arccos", "atan": "\\arctan",
    "sinh": "\\sinh", "cosh": "\\cosh", "tanh": "\\tanh", "asinh": _operatorname("asinh"),
    "acosh": _operatorname("acosh"), "atanh": _operatorname("atanh"), "log": "\\ln",
    "sign": _operatorname("sign"), "erf": _operatorname("erf"),
    "atan2": _operatorname("atan2"), "hypot": _operatorname("hypot"),
    "min": "\\min", "max": "\\max",
    "coth": "\\coth", "asec": _operatorname("arcsec"), "acsc": _operatorname("arccsc"),
    "acot": _operatorname("arccot"), "gamma": "\\Gamma", "digamma": "\\psi",
    "lambertw": "W_{0}", "heaviside": _operatorname("H"),
}  # fmt: skip

# Functions whose power is written on the name: \sin^{2}\left(x\right).
_POWERED = {
    key: _COMMANDS[key]
    for key in ("sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh", "coth")
} | {key: _operatorname(key) for key in ("sech", "csch")}

_LATEX: dict[str, Callable[[Expr], Pieces]] = {
    "add": _add, "sub": _sub, "mul": _mul, "div": _div, "neg": _neg, "pow": _pow,
    "pi": _symbol("\\pi"), "e": _symbol("e"),
    "exp": _around("e^{", "}"),
    "sqrt": _around("\\sqrt{", "}"),
    "cbrt": _around("\\sqrt[3]{", "}"),
    "abs": _around("\\left|", "\\right|"),
    "log10": _around("\\log_{10}\\left(", "\\right)"),
    "log2": _around("\\log_{2}\\left(", "\\right)"),
    "log_base": _log_base,
    "exp2": _around("2^{", "}"),
    "expm1": _around("e^{", "} - 1"),
    "log1p": _log1p,
    "lgamma": _around("\\ln\\left|\\Gamma\\left(", "\\right)\\right|"),
    "polygamma": _polygamma,
    "root": _root,
    **{key: _call(command) for key, command in _COMMANDS.items()},
}  # fmt: skip
# Every other function of the op table is written upright by its name: \operatorname{erfc}.
for _op in OPS.values():
    if _op.arity:
        _LATEX.setdefault(_op.key, _call(_operatorname(_op.name)))

# Ops through whose first argument the printed text begins (x*y, x^2, x + y, x - y).
_LEFT_SPINE = frozenset({"mul", "pow", "add", "sub"})
# Ops whose LaTeX begins with a digit (2^{x}).
_DIGIT_FIRST = frozenset({"exp2"})


def _starts_with_digit(node: Expr) -> bool:
    # The leftmost leaf decides; follow the left spine without recursion.
    while node.op.key in _LEFT_SPINE:
        node = node.args[0]
    return is_constant(node) or node.op.key in _DIGIT_FIRST
