"""The wheel as users get it: the grammar inside it, and a fresh environment that works.

``grammar/`` lives outside the package; the build copies it to ``symdiff/grammar/``. An
editable install falls back to the checkout, so only a built wheel shows the copy is made.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# The wheel is built once for the module: its four tests run first, together (conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammar" / "symdiff.lark"


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _bin(venv: Path, name: str) -> str:
    return str(venv / ("Scripts" if os.name == "nt" else "bin") / name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")  # the backend is here: build offline
    _run([*command, str(ROOT)], cwd=dist)
    (built,) = dist.glob("symdiff-*.whl")
    return built


def test_the_wheel_carries_the_grammar(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "symdiff/grammar/symdiff.lark" in names
        assert archive.read("symdiff/grammar/symdiff.lark") == GRAMMAR.read_bytes()


def test_the_wheel_carries_the_parser_tables_built_for_its_grammar(wheel: Path) -> None:
    import lark

    from symdiff.syntax.tables import TABLES_FILE, tables_key

    with zipfile.ZipFile(wheel) as archive:
        tables = archive.read(f"symdiff/grammar/{TABLES_FILE}")
    key, _, saved = tables.partition(b"\n")
    # The Lark that built the wheel may be another than this one (an isolated build).
    (built_by,) = re.findall(rb" lark=(\S+) ", key)
    grammar = GRAMMAR.read_text(encoding="utf-8")
    assert key + b"\n" == tables_key(grammar, built_by.decode())
    if built_by.decode() == lark.__version__:  # Lark's saved parser follows the key
        assert lark.Lark.load(io.BytesIO(saved)).parse("sin(x) + 2").data == "add"
    assert saved


def test_the_wheel_carries_the_parser_as_data_for_its_grammar(wheel: Path) -> None:
    import symdiff
    from symdiff.syntax import machine, parser
    from symdiff.syntax.lalr import driver

    with zipfile.ZipFile(wheel) as archive:
        content = archive.read(f"symdiff/grammar/{machine.MACHINE_FILE}")
    data = machine.load(content, GRAMMAR.read_text(encoding="utf-8"))
    assert data is not None
    shipped = driver(data, parser.BUILDER)
    assert shipped is not None
    for text in ["sin(x*y) + 2^-x", "atan2(x, y)/3", "-√x²·y⁻¹ - f", "((x))**2", "pi*e"]:
        assert shipped(text) is symdiff.parse(text)


def test_the_wheel_carries_every_module_and_the_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = (n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    modules = {f"symdiff/{path.name}" for path in (ROOT / "symdiff").glob("*.py")}
    assert modules <= names
    assert "symdiff = symdiff.cli.main:main" in scripts
    assert not any(name.startswith(("tests/", "grammar/")) for name in names)


def test_the_wheel_works_in_a_fresh_environment(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # No pip of its own (putting one there is most of the time this test took): this pip
    # installs into it (pip >= 22.3, as Python 3.11's own pip is).
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = _bin(venv, "python")
    # The wheel and its one dependency, lark, from the package index.
    install = [sys.executable, "-m", "pip", "--python", python, "install", "-q", str(wheel)]
    _run(install, cwd=elsewhere)

    # The user's command, run from another directory.
    shown = _run(
        [python, "-c", "import symdiff; print(symdiff.differentiate('sin(log(x))', x=2))"],
        cwd=elsewhere,
    ).stdout
    value, derivative = (float(n) for n in re.findall(r"\d+\.\d+(?:e-?\d+)?", shown))
    assert math.isclose(value, math.sin(math.log(2)))
    assert math.isclose(derivative, math.cos(math.log(2)) / 2)
    assert "'x'" in shown

    # The package imported is the installed copy, reading its own copy of the grammar.
    program = (
        "import sys, symdiff, symdiff.syntax.parser; print(symdiff.__file__); "
        "print(symdiff.syntax.parser.grammar_text() == open(sys.argv[1], encoding='utf-8').read())"
    )
    location, same_grammar = _run(
        [python, "-c", program, str(GRAMMAR)], cwd=elsewhere
    ).stdout.splitlines()
    assert Path(location).resolve().is_relative_to(venv.resolve())
    assert same_grammar == "True"

    command = _run(
        [_bin(venv, "symdiff"), "sin(x*y)+cos(x*y)", "--at", "x=2,y=3", "--json"], cwd=elsewhere
    )
    gradient = json.loads(command.stdout)["gradient"]
    assert math.isclose(gradient["x"], 3 * (math.cos(6) - math.sin(6)))
    assert math.isclose(gradient["y"], 2 * (math.cos(6) - math.sin(6)))

    # A formula that parses loads no Lark, in Python or at the command line; one that does
    # not has Lark tell its error.
    program = (
        "import sys, symdiff\n"
        "from symdiff.cli.main import main\n"
        "symdiff.differentiate('sin(x*y) + cos(x*y)', x=2, y=3)\n"
        "main(['sin(x*y)+cos(x*y)', '--at', 'x=2,y=3'])\n"
        "print('lark' in sys.modules)\n"
        "try:\n"
        "    symdiff.parse('sin(x')\n"
        "except symdiff.ParseError as error:\n"
        "    print(error.column, 'lark' in sys.modules)\n"
    )
    lines = _run([python, "-c", program], cwd=elsewhere).stdout.splitlines()
    assert lines[-2:] == ["False", "6 True"]

    # The command's parser comes from the shipped tables: with Lark's grammar loader
    # refused and an empty temporary directory (no per-user cache), it still answers, and
    # writes nothing there.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    refuse_rebuilding = (
        "import sys, lark.lark\n"
        "def refuse(*args, **kwargs): raise AssertionError('the grammar was rebuilt')\n"
        "lark.lark.load_grammar = refuse\n"
        "from symdiff.cli.main import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "TMPDIR": str(scratch)}
    env.pop("PYTHONPATH", None)
    answer = subprocess.run(
        [python, "-c", refuse_rebuilding, "sin(x*y)+cos(x*y)", "--at", "x=2,y=3", "--json"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert math.isclose(json.loads(answer.stdout)["value"], math.sin(6) + math.cos(6))
    assert not list(scratch.iterdir())
