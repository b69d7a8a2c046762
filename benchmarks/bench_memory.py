"""Memory of a long-running process: differentiate many distinct formulas, one after another,
and report the peak resident memory as it goes. Parsed graphs, plans and compiled code must
not pile up: the parse cache is bounded, nodes are interned weakly, and an expression's plan
holds it weakly, so the peak should level off however many formulas pass through.

    python benchmarks/bench_memory.py            # 10^6 formulas, a few minutes
    python benchmarks/bench_memory.py --quick    # 10^5 formulas

Exit status 1 if the peak after the first tenth of the run grows by more than 25% by its end.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import symdiff


def peak_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--quick", action="store_true", help="10^5 formulas instead of 10^6")
    count = 100_000 if options.parse_args().quick else 1_000_000
    checkpoints = {count // 10 * k for k in range(1, 11)}
    start = time.perf_counter()
    reference = 0.0
    print("| formulas | peak RSS (MiB) | seconds |\n|---:|---:|---:|")
    for i in range(1, count + 1):
        # Distinct texts and distinct variable names: nothing is shared between formulas.
        text = f"sin(a{i}*b{i}) + log(1 + a{i}^2)*{i % 97 + 1}"
        g = symdiff.differentiate(text, {f"a{i}": 0.5, f"b{i}": 1.5})
        if g.value != g.value:  # a wrong answer would be nan here; never expected
            print(f"formula {i} gave nan", file=sys.stderr)
            return 1
        if i in checkpoints:
            peak = peak_mib()
            reference = reference or peak
            print(f"| {i:,} | {peak:.1f} | {time.perf_counter() - start:.1f} |", flush=True)
    growth = peak_mib() / reference
    print(f"\ngrowth of the peak after the first tenth: {growth:.2f}x")
    return 0 if growth <= 1.25 else 1


if __name__ == "__main__":
    raise SystemExit(main())
