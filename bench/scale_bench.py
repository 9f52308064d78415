"""generate, reindex and import at scale, each timed with its peak memory.

Usage: DATABASE_URL=... python bench/scale_bench.py STEP [options]
  STEP generate --communities N --practices M | reindex | import FILE
Each step runs in a child process, so the peak memory is that command's own.
"""

import os
import sys

from bench_lib import bench_env, run_measured


def main() -> None:
    step, rest = sys.argv[1], sys.argv[2:]
    args = {"generate": ["generate", "--no-progress", *rest],
            "reindex": ["reindex", "--no-progress"],
            "import": ["import", *rest]}[step]  # fmt: skip
    seconds, peak_mb = run_measured(args, bench_env(os.environ["DATABASE_URL"]))
    print(f"{step} {' '.join(rest)}: {seconds:.1f} s, peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
