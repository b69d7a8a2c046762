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
