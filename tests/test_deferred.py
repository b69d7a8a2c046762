"""Deferred modules: imported at the first attribute read, never by introspection."""

from __future__ import annotations

import subprocess
import sys

from symdiff.deferred import Deferred


def test_an_attribute_read_imports_the_module() -> None:
    deferred = Deferred("json")
    assert deferred.dumps([1]) == "[1]"
    assert repr(deferred) == "<deferred module json>"


def test_introspection_does_not_import_the_module() -> None:
    # doctest's finder reads __wrapped__ and __module__ of everything in a module's
    # namespace while iterating it; an import then would change the namespace mid-loop.
    script = (
        "import sys, inspect\n"
        "from symdiff.deferred import Deferred\n"
        "d = Deferred('symdiff.simplify.normal')\n"
        "inspect.unwrap(d); inspect.isroutine(d); getattr(d, '__module__', None)\n"
        "print('symdiff.simplify.normal' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
