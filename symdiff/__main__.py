"""``python -m symdiff`` is the ``symdiff`` command."""

from .cli import main

raise SystemExit(main())
