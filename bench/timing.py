"""Timing helpers: wall-clock samples with time.perf_counter, summaries with statistics."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

_START = time.perf_counter()


def log(message: str) -> None:
    """Progress on stderr (stdout carries only the JSON result)."""
    print(f"[bench {time.perf_counter() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)


def timed_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
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


def compare(
    ours_ms: Sequence[float],
    ours_rows: Sequence[int],
    base_ms: Sequence[float],
    base_rows: Sequence[int],
) -> dict[str, Any]:
    """Both summaries and ours/baseline ratios of p50 and p95 (from unrounded figures)."""
    return {
        "ours": summary(ours_ms, ours_rows),
        "baseline": summary(base_ms, base_rows),
        "ratio_p50": _ratio(statistics.median(ours_ms), statistics.median(base_ms)),
        "ratio_p95": _ratio(percentile(ours_ms, 95), percentile(base_ms, 95)),
    }
