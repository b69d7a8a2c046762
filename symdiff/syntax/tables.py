"""The parser's LALR tables, built once: the options they are built with and the key that
says whether a saved copy still fits the grammar and the installed Lark.

The wheel's build (``hatch_build.py``, which loads this file alone, without the package)
saves the tables next to the packaged grammar; ``parser.py`` loads them, when Lark is
needed (to read a formula the lean driver stops at and tell its error, or to read the
machine off in a checkout), if the key matches, and otherwise lets Lark build them once
into its own per-user cache. This module imports nothing from symdiff, so the build hook
can run it before the package exists.
"""

from __future__ import annotations

import hashlib
from typing import Any

# The options every symdiff parser is built with; the transformer is given at load time.
LARK_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "maybe_placeholders": True,
    "propagate_positions": False,
}

# The saved tables, next to the grammar inside the package.
TABLES_FILE = "symdiff.lark.tables"

_FORMAT = b"symdiff-lalr-tables 1"


def tables_key(grammar: str, lark_version: str) -> bytes:
    """The first line of a tables file: a digest of everything the tables depend on."""
    options = ",".join(f"{name}={value!r}" for name, value in sorted(LARK_OPTIONS.items()))
    digest = hashlib.sha256(f"{grammar}\0{options}\0{lark_version}".encode()).hexdigest()
    # Lark's version also in clear, to tell which Lark built a wheel's tables.
    return b"%s lark=%s %s\n" % (_FORMAT, lark_version.encode(), digest.encode())
