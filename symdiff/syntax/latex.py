"""Expression graph to LaTeX: fractions, powers, roots and named functions.

The same iterative walk as the text printer: each node expands into pieces on a stack, so
depth is no limit. Only the output differs: ``\\frac{a}{b}`` needs no parentheses, function
arguments get ``\\left( \\right)``, and Greek names become their commands.
"""

from __future__ import annotations

from ..ir.nodes import Expr, is_constant, is_variable
from ..ir.ops import ATOM, SUM, UNARY
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
_SPECIAL = {
    "exp": ("e^{", "}"),
    "sqrt": ("\\sqrt{", "}"),
    "cbrt": ("\\sqrt[3]{", "}"),
    "abs": ("\\left|", "\\right|"),
    "log10": ("\\log_{10}\\left(", "\\right)"),
    "log2": ("\\log_{2}\\left(", "\\right)"),
}


_POWERED_FUNCTIONS = {"sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh"}


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


def _level(node: Expr) -> int:
    key = node.op.key
    if key == "div" and node.args[0].op.key == "neg":
        return UNARY  # printed -\frac{a}{b}
    if key == "div" or node.op.symbol is None:
        return ATOM
    return node.op.precedence


def to_latex(root: Expr) -> str:
    return emit(root, _expand)


def _wrap(node: Expr, parenthesize: bool) -> list[str | Expr]:
    return ["\\left(", node, "\\right)"] if parenthesize else [node]


def _expand(node: Expr) -> list[str | Expr]:
    if is_constant(node):
        return [_number(node.payload)]  # type: ignore[arg-type]
    if is_variable(node):
        return [_name(str(node.payload))]
    op = node.op
    key = op.key
    if op.arity == 0:
        return [op.latex or op.name]
    if key == "add":
        a, b = node.args
        return [a, " + ", *_wrap(b, False)]
    if key == "sub":
        a, b = node.args
        return [a, " - ", *_wrap(b, _level(b) <= SUM)]
    if key == "neg":
        (a,) = node.args
        return ["-", *_wrap(a, _level(a) <= SUM or a.op.key == "neg")]
    if key == "mul":
        a, b = node.args
        right = _wrap(b, _level(b) <= UNARY)
        left = _wrap(a, _level(a) <= SUM)
        # Juxtaposition, except where two numbers would run together.
        joiner = " \\cdot " if _starts_with_digit(b) else " "
        return [*left, joiner, *right]
    if key == "div":
        a, b = node.args
        if a.op.key == "neg":  # -\frac{1}{x^{2}} rather than \frac{-1}{x^{2}}
            return ["-\\frac{", a.args[0], "}{", b, "}"]
        return ["\\frac{", a, "}{", b, "}"]
    if key == "pow":
        base, exponent = node.args
        if base.op.key in _POWERED_FUNCTIONS and is_constant(exponent):
            # sin(x)^2 as \sin^{2}\left(x\right)
            return [f"{base.op.latex}^{{", exponent, "}\\left(", base.args[0], "\\right)"]
        needs = _level(base) < ATOM or base.op.key == "div" or base.op.key in _SPECIAL
        return [*_wrap(base, needs), "^{", exponent, "}"]
    if key in _SPECIAL:
        opening, closing = _SPECIAL[key]
        return [opening, node.args[0], closing]
    if key == "log_base":
        x, base = node.args
        return ["\\log_{", base, "}\\left(", x, "\\right)"]
    name = op.latex or f"\\operatorname{{{op.name}}}"
    parts: list[str | Expr] = [name, "\\left("]
    for i, arg in enumerate(node.args):
        if i:
            parts.append(", ")
        parts.append(arg)
    parts.append("\\right)")
    return parts


def _starts_with_digit(node: Expr) -> bool:
    # The leftmost leaf decides; follow the left spine without recursion.
    while node.op.key in ("mul", "pow", "add", "sub"):
        node = node.args[0]
    return is_constant(node)
