"""Modules loaded at their first use, not when their importer starts.

Every ``symdiff`` command pays for what it imports; the everyday answer (a value and its
partials) needs neither the REPL nor the tools, explanations or graph renderers. A module
that defers one also imports it under ``TYPE_CHECKING``, so mypy and the layer contract
(import-linter) still see the dependency and check its direction.
"""

from __future__ import annotations

import importlib
from typing import Any


class Deferred:
    """A module, imported when one of its attributes is first read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):
            # Introspection (doctest, inspect.unwrap, copy) asks for dunders: answering
            # would import the module, and change its package's namespace mid-iteration.
            raise AttributeError(attribute)
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<deferred module {self._name}>"
