"""The interactive session at a terminal or on a pipe: ``symdiff`` or ``symdiff repl``.

:func:`run_repl` feeds a :class:`~symdiff.repl.session.Session` lines: through
prompt_toolkit (line editing, history, completion) on a terminal, loaded only then, and
plainly from standard input otherwise.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..version import __version__
from .session import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, PROMPT, Reply, Session

if TYPE_CHECKING:
    from prompt_toolkit.history import History


def data_directory() -> Path:
    """Where symdiff keeps its data: $XDG_DATA_HOME/symdiff, or the platform's place."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "symdiff"
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming") / "symdiff"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "symdiff"
    return home / ".local" / "share" / "symdiff"


def history_path() -> Path:
    """The history file: $SYMDIFF_HISTORY if set, else ``history`` in the data directory."""
    explicit = os.environ.get("SYMDIFF_HISTORY", "")
    return Path(explicit) if explicit else data_directory() / "history"


def run_repl(stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Read lines until the end of the input or :quit; the exit status."""
    session = Session(unicode=_can_encode(stdout, "∂²"))
    terminal = stdin.isatty() and stdout.isatty() and os.environ.get("TERM") != "dumb"
    if terminal:
        return _run_on_terminal(session, stdout, stderr)
    return _run_plain(session, stdin, stdout, stderr)


def _execute(session: Session, line: str, line_number: int = 1) -> Reply:
    """``session.run`` that survives, as a last resort, bugs: a session's names are worth
    more than a traceback. Ctrl-C is the caller's to handle."""
    try:
        return session.run(line, line_number)
    except Exception as exc:  # reported, and the session goes on
        return Reply(error=f"internal error, please report it: {type(exc).__name__}: {exc}")


def _run_plain(session: Session, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Lines from a pipe (no prompt; errors name their line; status 2 if any failed), or
    from a dumb terminal (a plain prompt; Ctrl-C cancels the line)."""
    interactive = stdin.isatty()
    failed = False
    number = 0
    while True:
        if interactive:
            _write(stdout, PROMPT)
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            if not interactive:
                return EXIT_INTERRUPTED
            _write(stdout, "\n")
            continue
        if not line:
            if interactive:
                _write(stdout, "\n")
            break
        number += 1
        try:
            reply = _execute(session, line.rstrip("\r\n"), 1 if interactive else number)
        except KeyboardInterrupt:
            if not interactive:
                return EXIT_INTERRUPTED
            reply = Reply(error="interrupted")
        if reply.text:
            _write(stdout, reply.text + "\n")
        if reply.error is not None and interactive:
            _write(stdout, reply.error + "\n")
        elif reply.error is not None:
            failed = True
            stdout.flush()
            _write(stderr, f"symdiff: line {number}: {reply.error}\n")
            stderr.flush()
        if reply.quit:
            break
    return EXIT_INPUT if failed else EXIT_OK


def _run_on_terminal(session: Session, stdout: TextIO, stderr: TextIO) -> int:
    """prompt_toolkit's line editor: editing keys, history kept in a file, completion."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import CompleteEvent, Completer, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.shortcuts import CompleteStyle

    class SessionCompleter(Completer):
        def get_completions(
            self, document: Document, complete_event: CompleteEvent
        ) -> Iterator[Completion]:
            word, candidates = session.complete(document.text_before_cursor)
            for candidate in candidates:
                yield Completion(candidate, start_position=-len(word))

    history = _open_history(stderr)
    prompt: PromptSession[str] = PromptSession(
        history=history,
        completer=SessionCompleter(),
        complete_style=CompleteStyle.READLINE_LIKE,
        complete_while_typing=False,
        include_default_pygments_style=False,
    )
    _write(stdout, f"symdiff {__version__}: :help explains, Ctrl-D leaves\n")
    stdout.flush()
    while True:
        try:
            line = prompt.prompt(PROMPT)
        except KeyboardInterrupt:
            continue
        except EOFError:
            return EXIT_OK
        try:
            reply = _execute(session, line)
        except KeyboardInterrupt:
            reply = Reply(error="interrupted")
        if reply.text:
            _write(stdout, reply.text + "\n")
        if reply.error is not None:
            _write(stdout, reply.error + "\n")
        stdout.flush()
        if reply.quit:
            return EXIT_OK


def _open_history(stderr: TextIO) -> History:
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        _write(stderr, f"symdiff: history is not kept ({path}: {exc.strerror or exc})\n")
        return InMemoryHistory()
    return FileHistory(str(path))


def _can_encode(stream: TextIO, text: str) -> bool:
    try:
        text.encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _write(stream: TextIO, text: str) -> None:
    """Write, escaping what the stream's encoding cannot show (θ on an ASCII terminal)."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = stream.encoding or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
