"""Bounded memo tables: recent answers by key, kept within a count and a total size.

Graphs are immutable and interned, so an answer computed from one (a parse, a derivative)
may be given again for the same key. A table bounded by count alone could hold gigabytes
(a few thousand large graphs), so each answer also has a size (characters of a text, nodes
of a graph) and the table keeps their total within a budget, dropping the least recently
used first; an answer larger than a quarter of the budget is not kept at all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, NamedTuple, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class MemoInfo(NamedTuple):
    hits: int
    misses: int
    entries: int
    size: int


class Memo(Generic[K, V]):
    """Recent answers by key, bounded by ``max_entries`` and by ``max_size`` in total.

    Safe to share between threads: a lookup takes no lock (each step on the OrderedDict is
    atomic, and a key evicted by another thread in between is simply not moved); storing,
    which must keep the total right, is locked. The counters are approximate under threads.
    """

    def __init__(self, max_entries: int, max_size: int) -> None:
        self.max_entries = max_entries
        self.max_size = max_size
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._size = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The answer kept for ``key`` (now the most recent), or None."""
        entries = self._entries
        found = entries.get(key)
        if found is None:
            self._misses += 1
            return None
        try:  # noqa: SIM105 (contextlib.suppress costs more than the hit itself)
            entries.move_to_end(key)
        except KeyError:
            pass
        self._hits += 1
        return found[0]

    def put(self, key: K, value: V, size: int) -> None:
        """Keep ``value`` for ``key``, unless it is larger than a quarter of the budget."""
        if size > self.max_size // 4:
            return
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, size)
                self._size += size
            while len(self._entries) > self.max_entries or self._size > self.max_size:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def info(self) -> MemoInfo:
        with self._lock:
            return MemoInfo(self._hits, self._misses, len(self._entries), self._size)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = self._hits = self._misses = 0
