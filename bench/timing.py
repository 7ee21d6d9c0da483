"""Timing helpers: wall-clock samples with time.perf_counter, summaries with statistics."""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

_START = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr (stdout carries only the JSON result)."""
    print(f"[bench {time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


def timed_ms(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Milliseconds taken by ``fn(*args)``, and its result."""
    start = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - start) * 1000.0, result


def percentile(samples: Sequence[float], pct: int) -> float:
    """The pct-th percentile (inclusive method: always between the smallest and largest)."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def summary(samples_ms: Sequence[float], rows: Sequence[int]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples_ms), 3),
        "p95_ms": round(percentile(samples_ms, 95), 3),
        "mean_ms": round(statistics.fmean(samples_ms), 3),
        "max_ms": round(max(samples_ms), 3),
        "mean_rows": round(statistics.fmean(rows), 2),
    }


def _ratio(ours: float, base: float) -> float | None:
    return round(ours / base, 2) if base > 0 else None


def compare(ms: dict[str, Sequence[float]], rows: dict[str, Sequence[int]]) -> dict[str, Any]:
    """A summary per variant, and each variant's p50 and p95 as a ratio to the baseline's.

    Ratios come from the unrounded figures.
    """
    base = ms["baseline"]
    base_p50, base_p95 = statistics.median(base), percentile(base, 95)
    out: dict[str, Any] = {name: summary(ms[name], rows[name]) for name in ms}
    for name, samples in ms.items():
        if name == "baseline":
            continue
        suffix = "" if name == "ours" else f"_{name.removeprefix('ours_')}"
        out[f"ratio{suffix}_p50"] = _ratio(statistics.median(samples), base_p50)
        out[f"ratio{suffix}_p95"] = _ratio(percentile(samples, 95), base_p95)
    return out


WARMUP = 10  # untimed queries first, each way


def measure(queries: Sequence[Any], fns: dict[str, Callable[[Any], int]]) -> dict[str, Any]:
    """Warm up on the first WARMUP queries, then time each of the rest every way, rotating
    which way goes first so drift on the machine hits all alike; ``compare`` the samples."""
    for q in queries[:WARMUP]:
        for fn in fns.values():
            fn(q)
    names = list(fns)
    ms: dict[str, list[float]] = {name: [] for name in names}
    rows: dict[str, list[int]] = {name: [] for name in names}
    gc.collect()
    for i, q in enumerate(queries[WARMUP:]):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed, n = timed_ms(fns[name], q)
            ms[name].append(elapsed)
            rows[name].append(n)
    return compare(ms, rows)
