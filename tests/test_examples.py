"""The examples run as scripts, outside the checkout, and print what the textbook shows."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_quickstart(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONIOENCODING"] = "utf-8"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout

    # d/dx sin(log x) = cos(log x)/x at x = 2.
    assert f"f(2)  = sin(log 2)          = {math.sin(math.log(2)):.6f}" in out
    assert f"f'(2) = cos(log 2)/2        = {math.cos(math.log(2)) / 2:.6f}" in out
    assert "symdiff: value 0.638961, d/dx 0.384619" in out

    # z = sin(xy) + cos(xy) at (2, 3): r = 6 is one node that both branches feed.
    r = 6.0
    assert "r = x*y is one node, used by sin(r) and cos(r): True" in out
    assert "r = xy                      = 6\n" in out
    assert "= 0.680755  (about 0.681; the textbook shows 0.69)" in out
    assert f"dz/dr = cos r - sin r        = {math.cos(r) - math.sin(r):+.6f}" in out
    assert f"dz/dx = dz/dr * y            = {3 * (math.cos(r) - math.sin(r)):.6f}" in out
    assert f"dz/dy = dz/dr * x            = {2 * (math.cos(r) - math.sin(r)):.6f}" in out
    assert "symdiff: value 0.680755, dz/dx 3.718757, dz/dy 2.479172" in out
    assert out.rstrip().endswith("by hand and symdiff agree")
