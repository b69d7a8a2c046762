"""Build hook: save the parser's LALR tables into the wheel, so no start pays for them.

Lark builds the tables from ``grammar/symdiff.lark`` here, once, and the wheel carries them
twice (read-only is fine: they are only read):

- ``symdiff/grammar/symdiff.lark.machine``: Lark's parser as plain data
  (``symdiff/syntax/machine.py``), which the lean driver reads every formula that parses
  with, without loading Lark. Its key is over the grammar and Python's ``marshal`` format.
- ``symdiff/grammar/symdiff.lark.tables``: Lark's own saved parser, which reads a formula
  the driver stops at and tells its error. Its key is over the grammar, the options and
  Lark's version; a symdiff installed beside another Lark sees a different key and builds
  its tables as if none were shipped.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent


def _module(name: str) -> Any:
    # symdiff/syntax/<name>.py alone: the package itself is not importable while building.
    spec = importlib.util.spec_from_file_location(
        f"_symdiff_{name}", ROOT / "symdiff" / "syntax" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TablesHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "symdiff-tables"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install reads the checkout's grammar: Lark caches per user
        import lark

        tables, machine = _module("tables"), _module("machine")
        grammar = (ROOT / "grammar" / "symdiff.lark").read_text(encoding="utf-8")
        parser = lark.Lark(grammar, **tables.LARK_OPTIONS)
        directory = Path(tempfile.mkdtemp(prefix="symdiff-tables-"))
        path = directory / tables.TABLES_FILE
        with path.open("wb") as file:
            file.write(tables.tables_key(grammar, lark.__version__))
            parser.save(file)
        build_data["force_include"][str(path)] = f"symdiff/grammar/{tables.TABLES_FILE}"
        data = machine.machine(parser)
        if data is not None:  # another Lark's internals: formulas are read by Lark alone
            path = directory / machine.MACHINE_FILE
            path.write_bytes(machine.save(data, grammar))
            build_data["force_include"][str(path)] = f"symdiff/grammar/{machine.MACHINE_FILE}"
