"""The ``symdiff`` command for tests: the installed console script, as users run it, and the
command's entry function run in this process, which is what most tests use (no new Python
to start, so the suite stays fast)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from symdiff.cli.main import run


def installed_script() -> str:
    """The ``symdiff`` script beside this Python, else the one on PATH."""
    beside_python = Path(sys.executable).parent / ("symdiff.exe" if os.name == "nt" else "symdiff")
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("symdiff")
    if found is None:
        pytest.fail("the symdiff console script is not installed (pip install the package)")
    return found


def interruptible() -> None:
    """``preexec_fn`` for a child that a test interrupts (Ctrl-C, SIGINT): SIGINT back to
    its default. A job started in the background by a shell without job control (``cmd &``
    in a script, as some CI runners start theirs) has SIGINT ignored, every process it
    starts inherits that, and a Python that starts with SIGINT ignored never raises
    KeyboardInterrupt: the test would then see a command that ignores Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass(frozen=True)
class Completed:
    """What a run of the command gave: the fields of ``subprocess.CompletedProcess`` it has."""

    returncode: int
    stdout: str
    stderr: str


def run_in_process(args: Sequence[str], stdin: str = "", encoding: str = "utf-8") -> Completed:
    """``symdiff ARGS`` through ``symdiff.cli.main.run``, with streams like a pipe's.

    Standard output encodes strictly in ``encoding`` and standard error with backslash
    escapes, as Python's own streams do under ``PYTHONIOENCODING``; standard input reads
    with universal newlines, so ``\\r\\n`` arrives as ``\\n`` as from ``sys.stdin``.
    """
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding=encoding, write_through=True)
    stderr = io.TextIOWrapper(err, encoding=encoding, errors="backslashreplace", write_through=True)
    # argparse writes --help and --version to sys.stdout and exits: as a process would.
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            status = run(list(args), stdout, stderr, io.StringIO(stdin, newline=None))
        except SystemExit as exit:
            status = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    stdout.flush()
    stderr.flush()
    return Completed(status, out.getvalue().decode(encoding), err.getvalue().decode(encoding))
