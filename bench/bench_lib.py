"""Shared helpers for the benchmarks: timing, percentiles, peak memory of a child process."""

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> str:
    return (
        f"n={len(values_ms)} p50={statistics.median(values_ms):.1f} ms "
        f"p95={percentile(values_ms, 95):.1f} ms max={max(values_ms):.1f} ms"
    )


def run_measured(args: list[str], env: dict) -> tuple[float, float]:
    """Run a villagehub command; return (seconds, peak resident memory in MB) of the child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and command
        [PYTHON, "-m", "villagehub.cli", *args], env=env, check=True, cwd=ROOT
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of all children so far: run each measured
    # command from a fresh bench process (the Makefile does) for an exact figure.
    return seconds, max(peak, before) / 1024


def bench_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "villagehub.settings",
    }
