"""The installed ``symdiff`` console script, for the tests that run it as a user does."""

import os
import shutil
import sys
from pathlib import Path

import pytest


def installed_script() -> str:
    """The ``symdiff`` script beside this Python, else the one on PATH."""
    beside_python = Path(sys.executable).parent / ("symdiff.exe" if os.name == "nt" else "symdiff")
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("symdiff")
    if found is None:
        pytest.fail("the symdiff console script is not installed (pip install the package)")
    return found
