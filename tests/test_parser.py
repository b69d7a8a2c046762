"""The formula language: what parses to which graph, and what every error tells the user.

Graphs are compared by identity: nodes are interned, so a structurally equal graph built by
hand with ``make`` is the very object the parser returns.
"""

from __future__ import annotations

import gc
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import GrammarError, LexError
from strategies import examples, expressions

from symdiff import Expr, ParseError, SymdiffError, parse
from symdiff.ir.nodes import Number, constant, make, variable
from symdiff.ir.ops import FUNCTIONS, NAMED_CONSTANTS, OPS
from symdiff.syntax import parser as parser_module
from symdiff.syntax.parser import grammar_text, parse_uncached
from symdiff.syntax.tables import LARK_OPTIONS, TABLES_FILE, tables_key

a, b, c, x, y, z = (variable(name) for name in "abcxyz")
PI, E = make(OPS["pi"]), make(OPS["e"])


def num(value: Number) -> Expr:
    return constant(value)


def add(p: Expr, q: Expr) -> Expr:
    return make(OPS["add"], (p, q))


def sub(p: Expr, q: Expr) -> Expr:
    return make(OPS["sub"], (p, q))


def mul(p: Expr, q: Expr) -> Expr:
    return make(OPS["mul"], (p, q))


def div(p: Expr, q: Expr) -> Expr:
    return make(OPS["div"], (p, q))


def pow_(p: Expr, q: Expr) -> Expr:
    return make(OPS["pow"], (p, q))


def neg(p: Expr) -> Expr:
    return make(OPS["neg"], (p,))


def parse_error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text)
    return info.value


def caret_target(error: ParseError) -> str:
    """The character the caret in the message points at, read from the message alone."""
    lines = str(error).split("\n")
    caret_row = next(i for i, line in enumerate(lines) if line.strip() == "^")
    source, caret = lines[caret_row - 1], lines[caret_row]
    offset = caret.index("^")
    return source[offset] if offset < len(source) else ""


# --- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2", 2),
        ("0", 0),
        ("007", 7),
        ("12345678901234567890123456789", 12345678901234567890123456789),
        ("2.5", 2.5),
        (".5", 0.5),
        ("2.", 2.0),
        ("1e-3", 0.001),
        ("2.5E+4", 25000.0),
        ("1E3", 1000.0),
        ("0.0", 0.0),
    ],
)
def test_numbers(text: str, value: Number) -> None:
    node = parse(text)
    assert node is constant(value)
    # Integer literals stay exact Python ints; everything else is a float.
    assert type(node.payload) is type(value)
    assert node.payload == value


def test_integer_literals_are_exact_beyond_float_precision() -> None:
    assert parse("9007199254740993").payload == 2**53 + 1


def test_integer_and_float_literals_are_different_nodes() -> None:
    assert parse("1") is not parse("1.0")
    assert parse("x*1") is not parse("x*1.0")


def test_negative_numbers_are_negations() -> None:
    assert parse("-2") is neg(num(2))
    assert parse("-2.5e-3") is neg(num(0.0025))


# --- names --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x", "theta", "x_1", "m0", "_t", "θ", "\u03b1", "Δ", "ϕ", "Ω"])
def test_names(name: str) -> None:
    node = parse(name)
    assert node is variable(name)
    assert node.variables == (name,)


def test_greek_and_ascii_names_mix() -> None:
    alpha = "\u03b1"
    assert parse(f"θ + {alpha}*Δ") is add(variable("θ"), mul(variable(alpha), variable("Δ")))


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("a\u00a0b", "U+00A0 NO-BREAK SPACE"),
        ("\u0445", "U+0445 CYRILLIC SMALL LETTER HA"),
        ("2*\u0445", "U+0445 CYRILLIC SMALL LETTER HA"),
        ("x \u2013 y", "U+2013 EN DASH"),
        ("\uff58", "U+FF58 FULLWIDTH LATIN SMALL LETTER X"),
        ("\u00b5\u0431", "U+0431 CYRILLIC SMALL LETTER BE"),
        ("\u0663", "U+0663 ARABIC-INDIC DIGIT THREE"),
        ("x\u200by", "U+200B ZERO WIDTH SPACE"),
        ("caf\u00e9", "U+00E9 LATIN SMALL LETTER E WITH ACUTE"),
    ],
)
def test_characters_outside_the_language_are_named(text: str, described: str) -> None:
    error = parse_error(text)
    assert described in str(error)
    assert "unexpected character" in error.summary


def test_a_lookalike_never_becomes_its_ascii_letter() -> None:
    # Cyrillic U+0445 looks like x; it must be an error, not the variable x (no normalization).
    with pytest.raises(ParseError):
        parse("\u0445")
    with pytest.raises(ParseError):
        parse("\u0445 + 1")


def test_ascii_punctuation_is_quoted() -> None:
    error = parse_error("x$")
    assert "unexpected character '$'" in str(error)
    assert (error.line, error.column) == (1, 2)


# --- operators and precedence, by graph identity -------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-x^2", neg(pow_(x, num(2)))),
        ("2^3^2", pow_(num(2), pow_(num(3), num(2)))),
        ("2^-x", pow_(num(2), neg(x))),
        ("a/b/c", div(div(a, b), c)),
        ("a-b-c", sub(sub(a, b), c)),
        ("-x*y", mul(neg(x), y)),
        ("a*-b", mul(a, neg(b))),
        ("x^-y^z", pow_(x, neg(pow_(y, z)))),
        ("a+b*c", add(a, mul(b, c))),
        ("a*b+c", add(mul(a, b), c)),
        ("a*b^c", mul(a, pow_(b, c))),
        ("a^b*c", mul(pow_(a, b), c)),
        ("a*b/c", div(mul(a, b), c)),
        ("a/b*c", mul(div(a, b), c)),
        ("a-b+c", add(sub(a, b), c)),
        ("-a+b", add(neg(a), b)),
        ("a/-b", div(a, neg(b))),
        ("-2^x", neg(pow_(num(2), x))),
        ("(-2)^x", pow_(neg(num(2)), x)),
        ("(a+b)*c", mul(add(a, b), c)),
        ("a-(b-c)", sub(a, sub(b, c))),
        ("(x^2)^3", pow_(pow_(x, num(2)), num(3))),
        ("x^2^-1", pow_(x, pow_(num(2), neg(num(1))))),
        ("--x", neg(neg(x))),
        ("-+-x", neg(neg(x))),
        ("+x", x),
        ("x^+y", pow_(x, y)),
        ("((x))", x),
        ("x**2", pow_(x, num(2))),
        ("2**3**2", pow_(num(2), pow_(num(3), num(2)))),
        ("x**-y", pow_(x, neg(y))),
    ],
)
def test_precedence_and_associativity(text: str, expected: Expr) -> None:
    assert parse(text) is expected


def test_double_star_is_the_same_op_as_caret() -> None:
    assert parse("x**y") is parse("x^y")
    assert parse("x**y").op is OPS["pow"]


def test_white_space_is_insignificant() -> None:
    assert parse(" \t sin( x )\n*\r\n2 ") is mul(make(OPS["sin"], (x,)), num(2))


# --- implicit multiplication ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("2x", "2*x"),
        ("2 x", "2*x"),
        ("(x+1)(x-1)", "(x+1)*(x-1)"),
        ("2(x+1)", "2*(x+1)"),
        ("x y", "x*y"),
        ("(x)2", "(x)*2"),
        ("sin(x)cos(x)", "sin(x)*cos(x)"),
        ("2 pi", "2*pi"),
        ("2.5x", "2.5*x"),
    ],
)
def test_implicit_multiplication_is_rejected_with_a_suggestion(text: str, suggestion: str) -> None:
    error = parse_error(text)
    message = str(error)
    assert "implicit multiplication" in message
    assert f"did you mean {suggestion}?" in message


def test_implicit_multiplication_points_at_the_second_factor() -> None:
    error = parse_error("3 + 2x")
    assert (error.line, error.column) == (1, 6)
    assert caret_target(error) == "x"


def test_a_name_before_parentheses_is_not_a_function() -> None:
    message = str(parse_error("x(1+x)"))
    assert re.search(r"unknown function x\b|x is not a (known )?function", message)
    assert "x*(...)" in message


# --- constants ----------------------------------------------------------------------


def test_constants() -> None:
    assert parse("pi") is PI
    assert parse("π") is PI
    assert parse("e") is E
    assert parse("pi").evaluate() == math.pi
    assert parse("e").evaluate() == math.e
    assert parse("2*pi*r + e").variables == ("r",)


def test_every_named_constant_parses() -> None:
    for name, op in NAMED_CONSTANTS.items():
        assert parse(name) is make(op)


@pytest.mark.parametrize("text", ["pi(2)", "e(x)", "π(x)"])
def test_a_constant_cannot_be_called(text: str) -> None:
    assert "constant" in parse_error(text).summary


# --- functions ----------------------------------------------------------------------


def _calls() -> list[tuple[str, int]]:
    return [(name, arity) for name, arities in FUNCTIONS.items() for arity in arities]


@pytest.mark.parametrize(("name", "arity"), _calls())
def test_every_function_parses_with_its_arity(name: str, arity: int) -> None:
    args = tuple(variable(f"u{i}") for i in range(arity))
    text = f"{name}({', '.join(f'u{i}' for i in range(arity))})"
    assert parse(text) is make(FUNCTIONS[name][arity], args)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_wrong_number_of_arguments_names_the_function_and_its_arity(name: str) -> None:
    arities = FUNCTIONS[name]
    for count in {0, 1, 2, 3, max(arities) + 1} - set(arities):
        arguments = ", ".join(["x"] * count)
        error = parse_error(f"{name}({arguments})")
        assert name in error.summary
        for arity in arities:
            assert str(arity) in error.summary
        assert f"not {count}" in error.summary
        assert (error.line, error.column) == (1, 1)


def test_arity_message_wording() -> None:
    assert parse_error("sin(x, y)").summary == "sin takes 1 argument, not 2"
    assert parse_error("log(x, 2, 3)").summary == "log takes 1 or 2 arguments, not 3"
    assert parse_error("pow(x)").summary == "pow takes 2 arguments, not 1"


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("sinn(x)", "sin"), ("sqr(x)", "sqrt"), ("expp(x)", "exp"), ("arcsin(x)", "asin")],
)
def test_unknown_functions_suggest_close_names(text: str, suggestion: str) -> None:
    error = parse_error(text)
    assert error.summary.startswith("unknown function")
    assert f"did you mean {suggestion}(...)?" in str(error)


def test_a_function_without_parentheses_says_how_to_call_it() -> None:
    error = parse_error("sin + 1")
    assert "sin is a function" in str(error)
    assert "sin(...)" in str(error)


def test_ln_is_log() -> None:
    assert parse("ln(x)") is parse("log(x)")
    assert parse("ln(x, 2)") is parse("log(x, 2)")
    assert parse("ln(x)").op is OPS["log"]


def test_pow_call_is_the_power_operator() -> None:
    assert parse("pow(a, b)") is parse("a^b")
    assert parse("pow(x+1, -y)") is pow_(add(x, num(1)), neg(y))


def test_log_with_a_base_is_its_own_op() -> None:
    assert parse("log(x, 2)") is make(OPS["log_base"], (x, num(2)))
    assert parse("log(x, 2)") is not parse("log(x)/log(2)")


# --- the grammar itself -------------------------------------------------------------


def test_grammar_has_no_conflicts_in_lark_strict_mode() -> None:
    """LALR without silent shift/reduce resolutions (and, with interegular, no collisions).

    Lark builds the parse table, where strict mode turns conflicts into ``GrammarError``,
    before the lexer, whose regex-collision check needs the optional ``interegular``
    package. Without it the construction stops at that LexError, after the table passed.
    """
    try:
        Lark(grammar_text(), parser="lalr", strict=True)
    except LexError as exc:
        if "interegular" not in str(exc):
            raise
        # The control: a conflicting grammar is rejected before the lexer is reached.
        with pytest.raises(GrammarError, match="Shift/Reduce"):
            Lark('start: e\ne: e "-" e | "x"\n', parser="lalr", strict=True)


# --- ParseError: type, position, caret ------------------------------------------------


def test_parse_error_is_a_symdiff_error_and_a_value_error() -> None:
    assert issubclass(ParseError, SymdiffError)
    assert issubclass(ParseError, ValueError)
    with pytest.raises(ValueError):
        parse("2x")


@pytest.mark.parametrize(
    ("text", "line", "column", "summary", "points_at"),
    [
        ("2x", 1, 2, "implicit multiplication", "x"),
        ("x + * y", 1, 5, "unexpected '*'", "*"),
        ("x^^2", 1, 3, "unexpected '^'", "^"),
        ("x)", 1, 2, "unexpected ')'", ")"),
        ("(x + 1))", 1, 8, "unexpected ')'", ")"),
        ("sin(x", 1, 6, "unexpected end of formula", ""),
        ("(x", 1, 3, "unexpected end of formula", ""),
        ("x +", 1, 4, "unexpected end of formula", ""),
        ("x\n+\n*y", 3, 1, "unexpected '*'", "*"),
        ("x +\n  y +\n  (z", 3, 5, "unexpected end of formula", ""),
        ("x\n)", 2, 1, "unexpected ')'", ")"),
        ("\n\nsin(", 3, 5, "unexpected end of formula", ""),
        ("x +\r\n  * y", 2, 3, "unexpected '*'", "*"),
        ("1e999", 1, 1, "too large", "1"),
        ("x + 1e999", 1, 5, "too large", "1"),
        ("a\u00a0b", 1, 2, "U+00A0", "\u00a0"),
        ("sin(x, y)", 1, 1, "sin takes 1 argument", "s"),
        ("1 +\n  foo(x)", 2, 3, "unknown function foo", "f"),
    ],
)
def test_error_positions(text: str, line: int, column: int, summary: str, points_at: str) -> None:
    error = parse_error(text)
    assert (error.line, error.column) == (line, column)
    assert summary in error.summary
    message = str(error)
    assert f"line {line}, column {column}" in message
    # The offending line of the input is shown, with the caret under the column.
    shown = text.split("\n")[line - 1].rstrip("\r")
    assert f"\n  {shown}\n" in message
    assert caret_target(error) == points_at


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x + * y", "expected a number, a name, '(', '+' or '-'"),
        ("sin(x", "expected ')'"),
        ("x)", "expected the end of the formula"),
        ("", "expected an expression"),
    ],
)
def test_errors_say_what_was_expected(text: str, expected: str) -> None:
    assert expected in str(parse_error(text))


@pytest.mark.parametrize("text", ["sin(x", "x)", "(x + 1"])
def test_the_expected_list_after_an_operand_is_complete(text: str) -> None:
    hint = parse_error(text).hint
    for operator in ("'+'", "'-'", "'*'", "'/'", "'^'"):
        assert operator in hint


def test_caret_keeps_tabs_aligned() -> None:
    message = str(parse_error("x\t+\t*"))
    source, caret = message.split("\n")[1:3]
    assert source == "  x\t+\t*"
    assert caret == "   \t \t^"


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_input(text: str) -> None:
    error = parse_error(text)
    assert error.summary == "empty formula"
    assert (error.line, error.column) == (1, 1)


def test_a_number_too_large_for_a_float() -> None:
    error = parse_error("1e999")
    assert "1e999" in error.summary
    assert "too large" in error.summary


def test_parse_remembers_texts_but_parse_uncached_agrees() -> None:
    assert parse("x*y + 1") is parse_uncached("x*y + 1")


def test_non_string_input_is_a_symdiff_error() -> None:
    for value in (None, b"x", 3):
        with pytest.raises(SymdiffError, match="a formula is a string"):
            parse(value)  # type: ignore[arg-type]


# --- regressions: errors at the first token, other line breaks, odd inputs -------------


@pytest.mark.parametrize("text", [",", ")", "*", "/x", "^2", "**x", " ) + x"])
def test_a_misplaced_first_token_is_a_parse_error(text: str) -> None:
    # Lark reports these with a None in its token history.
    error = parse_error(text)
    assert error.line == 1
    assert caret_target(error) == text.strip()[0]


@pytest.mark.parametrize("text", ["x\r+ *", "x\f+\f*y"])
def test_caret_is_under_the_offending_character_with_other_line_breaks(text: str) -> None:
    # The parser ends lines at "\n" only; the caret line must be cut the same way.
    assert caret_target(parse_error(text)) == "*"


def test_an_integer_literal_too_long_to_convert_is_reported_in_the_formula_s_terms() -> None:
    # Python refuses to convert more than 4300 digits at once.
    error = parse_error("1" * 5000)
    assert "too long" in error.summary
    assert "set_int_max_str_digits" not in str(error)
    assert (error.line, error.column) == (1, 1)


@pytest.mark.parametrize("value", [["x"], {"x": 1}])
def test_an_unhashable_non_string_is_a_symdiff_error(value: object) -> None:
    with pytest.raises(SymdiffError, match="a formula is a string"):
        parse(value)  # type: ignore[arg-type]


# --- nothing but SymdiffError escapes -------------------------------------------------

TOKENS = [
    *("x", "y", "θ", "x_1", "pi", "π", "e", "ln", "sinn"),
    *sorted(FUNCTIONS),
    *("0", "2", "2.5", ".5", "1e-3", "2.5E+4", "1e999", "9" * 400),
    *("+", "-", "*", "/", "^", "**", "(", ")", ",", "."),
    *(" ", "\n", "\t", "\r", "\f", "\u00a0", "\u0445", "\u2212", "$", "\u2028"),
]


def _parses_or_raises_symdiff_error(text: str) -> None:
    try:
        result = parse_uncached(text)
    except SymdiffError as error:
        # The message renders, and a ParseError's position is inside the text.
        message = str(error)
        assert message
        if isinstance(error, ParseError):
            assert error.line >= 1 and error.column >= 1
            assert error.line <= text.count("\n") + 1
    else:
        assert type(result) is Expr


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_gives_an_expr_or_a_symdiff_error(text: str) -> None:
    _parses_or_raises_symdiff_error(text)


@settings(max_examples=examples(600), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_token_soup_gives_an_expr_or_a_symdiff_error(tokens: list[str]) -> None:
    text = "".join(tokens)
    _parses_or_raises_symdiff_error(text)


@pytest.mark.slow
def test_deep_nesting_parses_without_recursion() -> None:
    depth = 100_000
    assert parse_uncached("(" * depth + "x" + ")" * depth) is x
    deep = parse_uncached("-" * depth + "x")
    assert deep.op is OPS["neg"]
    # Right-nested: the parser's stack holds the whole tower before the first reduction.
    tower = parse_uncached("y^" * depth + "x")
    for _ in range(depth):
        assert tower.op is OPS["pow"] and tower.args[0] is y
        tower = tower.args[1]
    assert tower is x
    with pytest.raises(ParseError) as info:
        parse_uncached("(" * depth)
    assert info.value.column == depth + 1


# --- formulas as pasted ---------------------------------------------------------------------

# (pasted, the same formula in ASCII). Escapes keep the lookalikes visible in the source.
PASTED = [
    ("x \u2212 y", "x - y"),
    ("\u2212x", "-x"),
    ("\u2212x\u00b2", "-x^2"),
    ("x \u00d7 y", "x*y"),
    ("x\u00b7y", "x*y"),
    ("x \u22c5 y", "x*y"),
    ("x \u00f7 y", "x/y"),
    ("x \u00f7 y \u00d7 z", "x/y*z"),
    ("x\u00b2", "x^2"),
    ("x\u00b3 + x\u00b9", "x^3 + x^1"),
    ("x\u207b\u00b9", "x^-1"),
    ("x\u00b9\u2070", "x^10"),
    ("x\u2074\u2075\u2076\u2077\u2078\u2079\u2070", "x^4567890"),
    ("2\u207b\u00b3", "2^-3"),
    ("1.5e\u22123*x", "1.5e-3*x"),
    ("1.5\u00d710\u207b\u00b3", "1.5*10^-3"),
    ("(x + 1)\u00b2", "(x + 1)^2"),
    ("sin(x)\u00b2", "sin(x)^2"),
    ("e^x\u00b2", "e^(x^2)"),
    ("\u221ax", "sqrt(x)"),
    ("\u221a(x + 1)", "sqrt(x + 1)"),
    ("\u221ax\u00b2", "sqrt(x^2)"),
    ("\u221a(x)\u00b2", "sqrt(x^2)"),
    ("2*\u221ax*y", "2*sqrt(x)*y"),
    ("\u221a\u221ax", "sqrt(sqrt(x))"),
    ("\u221a\u2212x", "sqrt(-x)"),
    ("\u03c0*r\u00b2", "pi*r^2"),
    ("\u00b5 + \u03bc", "2*\u03bc - \u03bc + \u03bc - \u03bc"),
]


@pytest.mark.parametrize(("pasted", "ascii_form"), PASTED)
def test_pasted_symbols_are_aliases_of_ascii(pasted: str, ascii_form: str) -> None:
    expr = parse(pasted)
    if "\u00b5" not in pasted:
        assert expr is parse(ascii_form)
    printed = str(expr)
    assert all(ord(char) < 128 or char == "\u03bc" for char in printed), printed
    assert parse(printed) is expr


def test_the_micro_sign_and_mu_are_one_variable() -> None:
    mu = variable("\u03bc")
    assert parse("\u00b5") is mu
    assert parse("\u00b5 + \u03bc") is add(mu, mu)
    assert parse("\u00b5_0*x") is mul(variable("\u03bc_0"), x)
    assert str(parse("\u00b5")) == "\u03bc"
    assert parse("\u00b5").variables == ("\u03bc",)


def test_superscripts_bind_like_a_power() -> None:
    assert parse("-x\u00b2") is make(OPS["neg"], (pow_(x, num(2)),))
    assert parse("2*x\u00b2") is mul(num(2), pow_(x, num(2)))
    assert parse("x\u207b\u00b2") is pow_(x, make(OPS["neg"], (num(2),)))


def test_misplaced_pasted_symbols_are_parse_errors() -> None:
    for text in ("\u00b2", "x\u00b2^3", "x \u00d7", "\u221a", "x\u207b", "x\u221a"):
        with pytest.raises(ParseError):
            parse(text)


@pytest.mark.parametrize(
    ("text", "fixed"),
    [("x\u00b2y", "x\u00b2*y"), ("2\u221ax", "2*\u221ax"), ("x\u221a2", "x*\u221a2"),
     ("(x)\u221ay", "(x)*\u221ay")],
)  # fmt: skip
def test_implicit_multiplication_with_pasted_symbols_suggests_the_star(
    text: str, fixed: str
) -> None:
    error = parse_error(text)
    assert error.summary == "implicit multiplication is not supported"
    assert error.hint == f"did you mean {fixed}?"


def test_a_superscript_too_long_for_a_number_is_a_parse_error() -> None:
    error = parse_error("x" + "\u00b2" * 5000)
    assert "exponent" in error.summary


# Lookalikes are refused, named, and the ASCII character suggested, with the caret on them.
LOOKALIKE_CASES = [
    ("x \u2013 y", 3, "U+2013 EN DASH", "-"),
    ("x \u2014 y", 3, "U+2014 EM DASH", "-"),
    ("x \u2217 y", 3, "U+2217 ASTERISK OPERATOR", "*"),
    ("x \u2215 y", 3, "U+2215 DIVISION SLASH", "/"),
    ("\uff58 + 1", 1, "U+FF58 FULLWIDTH LATIN SMALL LETTER X", "x"),
    ("x + \uff12", 5, "U+FF12 FULLWIDTH DIGIT TWO", "2"),
    ("2*\u0445", 3, "U+0445 CYRILLIC SMALL LETTER HA", "x"),
    ("\u0441os(x)", 1, "U+0441 CYRILLIC SMALL LETTER ES", "c"),
    ("x^\u2107", 3, "U+2107 EULER CONSTANT", None),
    ("\u212f^x", 1, "U+212F SCRIPT SMALL E", "e"),
    ("\U0001d465 + 1", 1, "U+1D465 MATHEMATICAL ITALIC SMALL X", "x"),
]


@pytest.mark.parametrize(("text", "column", "described", "suggested"), LOOKALIKE_CASES)
def test_lookalikes_are_named_with_the_ascii_to_type(
    text: str, column: int, described: str, suggested: str | None
) -> None:
    error = parse_error(text)
    assert described in error.summary
    assert (error.line, error.column) == (1, column)
    assert caret_target(error) == text[column - 1]
    if suggested is not None:
        assert f"type the ASCII '{suggested}'" in error.hint


def test_greek_lookalikes_inside_latin_names_are_refused() -> None:
    # "cos" with a Greek omicron, "xA" with a Greek Alpha: named, the caret on the letter.
    error = parse_error("c\u03bfs(x)")
    assert "U+03BF GREEK SMALL LETTER OMICRON" in error.summary
    assert (error.column, caret_target(error)) == (2, "\u03bf")
    assert "type the ASCII 'o'" in error.hint
    error = parse_error("1 + x\u0391")
    assert (error.column, caret_target(error)) == (6, "\u0391")
    # Alone, or next to Greek letters or other Latin-free names, Greek letters are names.
    assert parse("\u0391 + \u0394x") is add(variable("\u0391"), variable("\u0394x"))
    assert parse("x_\u03bd") is variable("x_\u03bd")


def test_smart_quotes_and_invisible_characters_are_explained() -> None:
    assert "quotes are not part of a formula" in parse_error("\u201cx\u201d").hint
    assert "invisible" in parse_error("x\u200b+ y").hint
    assert "ordinary space" in parse_error("x\u00a0+ y").hint


def test_no_unicode_normalisation_makes_a_lookalike_a_name() -> None:
    # The Cyrillic letters stay errors: never the Latin variable they look like.
    for text in ("\u0445", "\u0430 + b", "\uff58"):
        with pytest.raises(ParseError):
            parse(text)


_NUMBER_OR_OTHER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|.", re.S)
_SUPERSCRIPTS = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def pasted(text: str, choices: list[int]) -> str:
    """``text`` as a document would show it: each operator, and each whole-number exponent
    not followed by another power, replaced by a pasted alias chosen by ``choices``."""
    tokens = _NUMBER_OR_OTHER.findall(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        choice = choices[i % len(choices)]
        if token == "^" and choice % 2:
            # ^2, ^-2 (a whole number, not followed by ^) as a superscript
            sign = tokens[i + 1] == "-" if i + 1 < len(tokens) else False
            j = i + 1 + sign
            power = tokens[j] if j < len(tokens) else ""
            after = tokens[j + 1] if j + 1 < len(tokens) else ""
            if power.isdigit() and after != "^":
                out.append(("\u207b" if sign else "") + power.translate(_SUPERSCRIPTS))
                i = j + 1
                continue
        if token == "*" and tokens[i + 1 : i + 2] != ["*"]:
            out.append(["*", "\u00d7", "\u00b7", "\u22c5"][choice % 4])
        elif token == "/":
            out.append(["/", "\u00f7"][choice % 2])
        elif token == "-":
            out.append(["-", "\u2212"][choice % 2])
        else:
            out.append(token)
        i += 1
    return "".join(out)


def test_the_pasting_helper_pastes() -> None:
    assert pasted("x^2*y - 3/z^-1", [1]) == "x\u00b2\u00d7y \u2212 3\u00f7z\u207b\u00b9"
    assert pasted("2^3^2 - 1e-05", [1]) == "2^3\u00b2 \u2212 1e-05"


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(max_leaves=12), st.lists(st.integers(0, 3), min_size=1, max_size=8))
def test_pasted_and_ascii_forms_agree(expr: Expr, choices: list[int]) -> None:
    text = str(expr)
    assert parse(pasted(text, choices)) is expr


# --- the parser's tables: shipped in the wheel, or built once -----------------------


def _forget_parsers() -> None:
    """The next parse loads Lark's parser again, and reads the machine off it again."""
    for made_once in (parser_module._lark_with, parser_module._machine, parser_module._driver):
        made_once.cache_clear()


def _tables_in(directory: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    """Point the parser at ``directory`` holding the grammar and ``content`` as its tables."""
    (directory / "symdiff.lark").write_text(grammar_text(), encoding="utf-8")
    (directory / TABLES_FILE).write_bytes(content)
    monkeypatch.setattr(parser_module, "_PACKAGED", str(directory))
    _forget_parsers()


def _saved_tables(grammar: str | None = None) -> bytes:
    built = Lark(grammar_text() if grammar is None else grammar, **LARK_OPTIONS)
    file = io.BytesIO()
    built.save(file)
    return file.getvalue()


@pytest.fixture
def fresh_parser() -> Iterator[None]:
    _forget_parsers()
    yield
    _forget_parsers()


def test_tables_whose_key_matches_are_loaded_not_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_parser: None
) -> None:
    import lark.lark

    key = tables_key(grammar_text(), lark.__version__)
    _tables_in(tmp_path, monkeypatch, key + _saved_tables())

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the grammar was rebuilt")

    monkeypatch.setattr(lark.lark, "load_grammar", refuse)
    assert parse_uncached("sin(x*y) + 2^-x") is parse("sin(x*y) + 2^-x")
    with pytest.raises(ParseError, match="implicit multiplication"):
        parse_uncached("2x")


@pytest.mark.parametrize("stale", ["another Lark", "damaged"])
def test_stale_or_damaged_tables_are_rebuilt_and_the_file_left_alone(
    stale: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_parser: None
) -> None:
    import lark

    if stale == "another Lark":  # tables that would reject the formula, if they were used
        content = tables_key(grammar_text(), "0.0.1") + _saved_tables('start: "a"')
    else:
        content = tables_key(grammar_text(), lark.__version__) + b"not a pickle"
    _tables_in(tmp_path, monkeypatch, content)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "user-cache"))
    (tmp_path / "user-cache").mkdir()
    assert parse_uncached("sin(x*y)") is make(
        OPS["sin"], (make(OPS["mul"], (variable("x"), variable("y"))),)
    )
    assert (tmp_path / TABLES_FILE).read_bytes() == content  # read-only: never rewritten


def test_the_tables_key_follows_the_grammar_and_lark() -> None:
    grammar = grammar_text()
    assert tables_key(grammar, "1.2.2") == tables_key(grammar, "1.2.2")
    assert tables_key(grammar, "1.2.2") != tables_key(grammar, "1.3.0")
    assert tables_key(grammar, "1.2.2") != tables_key(grammar + "\n", "1.2.2")
    assert tables_key(grammar, "1.2.2").endswith(b"\n")


def test_a_long_formula_pauses_the_cycle_collector_and_restores_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []

    def recording_make(*args: object) -> Expr:
        seen.append(gc.isenabled())
        return make(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(parser_module, "make", recording_make)
    long_text = "+".join(f"x{i}" for i in range(3000))
    assert gc.isenabled()
    parse_uncached(long_text)
    assert seen and not any(seen)  # paused while the long formula was read
    assert gc.isenabled()
    with pytest.raises(ParseError):
        parse_uncached(long_text + "+)")
    assert gc.isenabled()  # restored after an error too
    seen.clear()
    parse_uncached("x0+x1")
    assert seen and all(seen)  # a short formula leaves it alone
    gc.disable()
    try:
        parse_uncached(long_text)
        assert not gc.isenabled()  # a collector the caller paused stays paused
    finally:
        gc.enable()


def test_what_may_follow_is_remembered_per_stack_and_says_the_same() -> None:
    parser_module._ACCEPTED.clear()
    texts = ["sin(x", "2*(x+", "x+*y", "(" * 100 + "x+"]
    first = []
    for text in texts:
        with pytest.raises(ParseError) as error:
            parse_uncached(text)
        first.append(str(error.value))
    remembered = len(parser_module._ACCEPTED)
    assert 0 < remembered < len(texts) + 1  # the 100-deep stack is not kept
    for text, message in zip(texts, first, strict=True):
        with pytest.raises(ParseError) as error:
            parse_uncached(text)
        assert str(error.value) == message
    assert len(parser_module._ACCEPTED) == remembered
    assert "expected" in first[0] and first[0] != first[1]
