"""Hostile and odd input: every entry point answers with a result or a SymdiffError."""

from __future__ import annotations

import pickle

import pytest

import symdiff
from symdiff.ir.nodes import make
from symdiff.ir.ops import OPS


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000],
)
def test_deeply_nested_json_is_a_symdiff_error(text: str) -> None:
    with pytest.raises(symdiff.SymdiffError, match="nested too deeply"):
        symdiff.from_json(text)


@pytest.mark.parametrize(
    ("text", "summary", "hint"),
    [
        ("sin x", "sin is a function: its argument goes in parentheses", "did you mean sin(x)?"),
        ("1_000", "numbers are written without digit separators", "write 1000"),
        ("0x10", "numbers are written in decimal", "write 16"),
        ("0b101 + x", "numbers are written in decimal", "write 5"),
        (
            "d/dx x^2",
            "d/dx is the REPL's notation, not part of a formula",
            "for a derivative write: symdiff diff 'x^2' x"
            " (in Python: symdiff.derivative('x^2', 'x'))",
        ),
        (
            "d^2/dx^2 sin(x)",
            "d/dx is the REPL's notation, not part of a formula",
            "symdiff diff 'sin(x)' x --order 2",
        ),
        # A real missing * keeps its hint.
        ("2x", "implicit multiplication is not supported", "did you mean 2*x?"),
        ("a b", "implicit multiplication is not supported", "did you mean a*b?"),
    ],
)
def test_juxtapositions_get_the_hint_that_fits(text: str, summary: str, hint: str) -> None:
    with pytest.raises(symdiff.ParseError) as caught:
        symdiff.parse(text)
    assert caught.value.summary == summary
    assert hint in caught.value.hint


def test_a_formula_over_the_length_limit_is_refused_quickly() -> None:
    with symdiff.limits(text_length=1000), pytest.raises(symdiff.SymdiffError, match="1,001"):
        symdiff.parse("x" * 1001)
    assert symdiff.parse("x" * 1001).variables == ("x" * 1001,)


def test_nesting_over_the_depth_limit_is_refused() -> None:
    with symdiff.limits(nesting_depth=50):
        assert symdiff.parse("(" * 50 + "x" + ")" * 50) is symdiff.parse("x")
        # Many parentheses side by side are not deep.
        assert symdiff.parse("+".join(["(x)"] * 80)).variables == ("x",)
        with pytest.raises(symdiff.SymdiffError, match="51 parentheses deep"):
            symdiff.parse("(" * 51 + "x" + ")" * 51)


def test_limits_are_checked_when_changed() -> None:
    with pytest.raises(symdiff.SymdiffError, match="no limit is called"), symdiff.limits(length=3):
        pass
    with pytest.raises(symdiff.SymdiffError, match="whole number"), symdiff.limits(text_length=-1):
        pass
    assert symdiff.Limits().text_length == 2_000_000


def _shared_tower(levels: int) -> symdiff.Expr:
    """u_{k+1} = sin(u_k)*cos(u_k) + u_k: 4 nodes a level, a tree of about 4^levels."""
    u = symdiff.parse("x")
    for _ in range(levels):
        product = make(OPS["mul"], (make(OPS["sin"], (u,)), make(OPS["cos"], (u,))))
        u = make(OPS["add"], (product, u))
    return u


def test_renderers_cost_the_graph_not_the_tree() -> None:
    inside = make(OPS["log"], (make(OPS["sub"], (_shared_tower(14), symdiff.parse("1000"))),))
    with pytest.raises(symdiff.DomainError) as caught:
        symdiff.differentiate(inside, x=0.5)
    assert len(caught.value.subexpression) <= 203
    assert len(str(caught.value)) < 1000
    assert pickle.loads(pickle.dumps(inside)) is inside
    assert len(pickle.dumps(inside)) < 10_000
    shown = repr(inside)
    assert shown.startswith("<Expr of 60 distinct nodes: log(sin(") and len(shown) < 300
    assert inside._repr_latex_() is None
    with pytest.raises(symdiff.SymdiffError, match="more than 1,000,000 nodes"):
        str(inside)
    assert len(inside.to_string(cse=True).splitlines()) == 14  # 13 bindings and the root
    with symdiff.limits(printed_nodes=10**8):
        assert len(str(_shared_tower(8))) > 10_000


def test_small_expressions_print_and_display_in_full() -> None:
    e = symdiff.parse("sin(x*y) + cos(x*y)")
    assert str(e) == repr(e) == "sin(x*y) + cos(x*y)"
    assert e._repr_latex_() == "$\\sin\\left(x y\\right) + \\cos\\left(x y\\right)$"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: symdiff.gradient("x^2", symdiff.parse("x")), "not Expr"),
        (lambda: symdiff.gradient("x^2", 5), "not int"),
        (lambda: symdiff.hessian("x^2", 5), "not int"),
        (lambda: symdiff.jacobian(["x"], 5), "not int"),
        (lambda: symdiff.differentiate("x", x=10**5000), "an integer of about 5,000 digits"),
        (lambda: symdiff.derivative("sin(x)", "x", 1_000_000_000), "over the limit of 1,000"),
    ],
)
def test_wrong_arguments_are_symdiff_errors(call: object, message: str) -> None:
    with pytest.raises(symdiff.SymdiffError, match=message):
        call()  # type: ignore[operator]


@pytest.mark.slow
def test_exact_folding_stops_at_the_integer_limit() -> None:
    from symdiff.simplify import build

    c = symdiff.parse("3")
    for _ in range(27):  # 3^(2^27) has about 64 million digits
        c = build(OPS["mul"], (c, c))
    assert symdiff.count_nodes(c) < 40
    product = symdiff.simplify("2^256*" * 60 + "x")
    assert symdiff.parse(str(product)) is product
    assert len(str(symdiff.derivative("x^1000000", "x", 1000))) < 100_000
    for text in ("9^9^9", "2^(2^100)", "10^10^10*x"):
        assert symdiff.parse(str(symdiff.simplify(text))) is symdiff.simplify(text)
