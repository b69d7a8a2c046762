"""Hostile and odd input: every entry point answers with a result or a SymdiffError."""

from __future__ import annotations

import pytest

import symdiff


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
