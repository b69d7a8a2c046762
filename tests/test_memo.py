"""ir.memo.Memo: recent answers kept within a count and a total size, least recent first out."""

from __future__ import annotations

from symdiff.ir.memo import Memo, MemoInfo


def test_answers_are_kept_and_counted() -> None:
    memo: Memo[str, int] = Memo(max_entries=3, max_size=100)
    assert memo.get("a") is None
    memo.put("a", 1, size=10)
    assert memo.get("a") == 1
    assert memo.info() == MemoInfo(hits=1, misses=1, entries=1, size=10)
    memo.put("a", 2, size=10)  # a key kept already keeps its first answer
    assert memo.get("a") == 1 and memo.info().size == 10
    memo.clear()
    assert memo.info() == MemoInfo(0, 0, 0, 0) and memo.get("a") is None


def test_the_least_recently_used_goes_first_past_the_count() -> None:
    memo: Memo[str, int] = Memo(max_entries=3, max_size=100)
    for i, key in enumerate("abc"):
        memo.put(key, i, size=1)
    assert memo.get("a") == 0  # now the most recent
    memo.put("d", 3, size=1)
    assert memo.get("b") is None
    assert [memo.get(k) for k in "acd"] == [0, 2, 3]
    assert memo.info().entries == 3


def test_the_total_size_is_bounded_and_large_answers_are_not_kept() -> None:
    memo: Memo[int, str] = Memo(max_entries=1000, max_size=100)
    memo.put(0, "too large", size=26)  # over a quarter of the budget
    assert memo.get(0) is None and memo.info().entries == 0
    for key in range(1, 50):
        memo.put(key, "x", size=25)
    info = memo.info()
    assert info.size == 100 and info.entries == 4
    assert [memo.get(k) for k in range(46, 50)] == ["x"] * 4
