"""What the fuzzer (fuzz/fuzz_symdiff.py) found, each minimised to the input that shows it and
kept here so it stays fixed. A finding inside code another change is reworking is marked
``xfail(strict=True)`` with its reason, so the fix there turns it into an ordinary test.
"""

from __future__ import annotations

import json

import pytest
from scripts import run_in_process

import symdiff
from symdiff import SymdiffError


def test_jacobian_at_an_empty_point_is_numbers_or_a_missing_value() -> None:
    # --at '' is a point with no values: the Jacobian there was a matrix of formulas, which
    # --json could not write (TypeError, a traceback).
    missing = run_in_process(["jacobian", "x*y", "--json", "--at", ""])
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "no value given for x" in missing.stderr
    constant = run_in_process(["jacobian", "2", "3", "--json", "--at", ""])
    assert constant.returncode == 0, constant.stderr
    assert json.loads(constant.stdout)["jacobian"] == [[], []]


def test_variables_named_like_parameters_take_values() -> None:
    # A variable named like the parameter before **values was a TypeError ("got multiple
    # values for argument 'expr'"); it is an ordinary name, as another name would be.
    assert symdiff.hessian("expr/x*z", expr=1, x=2, z=3) == symdiff.hessian("a/x*z", a=1, x=2, z=3)
    assert symdiff.jacobian(["exprs*x", "x"], exprs=1, x=2) == symdiff.jacobian(
        ["a*x", "x"], a=1, x=2
    )


@pytest.mark.parametrize("variables", [1, 2.5, symdiff.parse("x")])
def test_variables_that_are_not_a_list_of_names(variables: object) -> None:
    # A variable called "variables" given a value lands in the list of names: int is not
    # iterable (TypeError), nor is an Expr.
    with pytest.raises(SymdiffError, match="variables are a list of names"):
        symdiff.hessian("variables*x", variables=variables, x=2)
    with pytest.raises(SymdiffError, match="variables are a list of names"):
        symdiff.jacobian(["variables*x"], variables=variables, x=2)
