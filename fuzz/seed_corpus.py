"""Write the fuzzer's seed corpus, fuzz/corpus/, from the test suite's shared formulas.

Each file is one input of fuzz_symdiff.py: a digit naming the entry point, then the text.
Every entry point gets formulas of tests/corpus.py in turn, and a few inputs written for the
REPL, the command line and JSON. Run from the repository's top: ``python fuzz/seed_corpus.py``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "tests"))

from corpus import CORPUS  # noqa: E402

import symdiff  # noqa: E402

# The entry points of fuzz_symdiff.ENTRY_POINTS, by their digit.
PARSE, DIFFERENTIATE, DERIVATIVE, GRADIENT, HESSIAN = "01234"
JACOBIAN, SIMPLIFY, FROM_JSON, REPL, CLI = "56789"
FORMULA_ENTRIES = (PARSE, DIFFERENTIATE, DERIVATIVE, GRADIENT, HESSIAN, SIMPLIFY, CLI)

HANDWRITTEN = [
    REPL + "f = x^2*y; diff(f, x); :grad f",
    REPL + "g(t) = sin(t)^2\ng(x) + 1\n:latex g(x)",
    REPL + "x = 2 +- 0.1\n:propagate x^2\n:vars",
    REPL + ":explain sin(x*y)\n:graph x^2\n:del x",
    JACOBIAN + "x*y\nx + y^2",
    CLI + "diff\nsin(x*y)\nx",
    CLI + "x^2*y\n--at\nx=1,y=2",
    CLI + "explain\nsin(log(x))\n--wrt\nx",
    FROM_JSON + symdiff.parse("sin(x*y) + cos(x*y)").to_json(),
]


def main() -> None:
    folder = TOP / "fuzz" / "corpus"
    folder.mkdir(exist_ok=True)
    # A few dozen: every fifth formula, skipping the long generated ones.
    formulas = [case.text for case in CORPUS if len(case.text) < 120][::5]
    inputs = [FORMULA_ENTRIES[i % len(FORMULA_ENTRIES)] + text for i, text in enumerate(formulas)]
    for text in [*inputs, *HANDWRITTEN]:
        data = text.encode("utf-8")
        (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


if __name__ == "__main__":
    main()
