"""The ``symdiff`` command (``main.py``); the REPL it starts is in ``symdiff.repl``."""

from .main import main

__all__ = ["main"]
