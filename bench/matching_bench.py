"""Matching quality and speed (issue 16): generates solutions and needs with known good pairs
into a fresh database, then for a sample of needs asks for the proposals, as the need page
does (`solutions_for_need`: the kept index, then the records and their reasons), and reports
recall@5 and nDCG@10 against the good pairs, and p50/p95 time per match. Also times the
other direction (`needs_for_solution`) for a sample of solutions.

Targets: recall@5 ≥ 0.9, p95 ≤ 50 ms at 10,000 solutions and 50,000 needs.

Usage: DATABASE_URL=sqlite:///var/bench-matching.sqlite3 \\
       python bench/matching_bench.py [--solutions 10000] [--needs 50000] [--sample 500]
The database is made afresh (bench/fresh_db.py) and migrated first.
"""

import argparse
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")

from bench_lib import PYTHON, ROOT, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--solutions", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("Set DATABASE_URL to a database the benchmark may replace.")
    subprocess.run([PYTHON, "bench/fresh_db.py", url], check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(  # noqa: S603
        [PYTHON, "-m", "villagehub.cli", "migrate", "-v", "0"], check=True, cwd=ROOT
    )

    import django

    django.setup()
    from villagehub.matching.generate import matching_generate
    from villagehub.matching.quality import ndcg_at, recall_at
    from villagehub.matching.selectors import indexes, needs_for_solution, solutions_for_need
    from villagehub.solutions.models import Solution
    from villagehub.strategies.models import Need

    start = time.perf_counter()
    pairs = matching_generate(solutions=args.solutions, needs=args.needs, seed=args.seed)
    print(f"generated {args.solutions} solutions, {args.needs} needs "
          f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
    start = time.perf_counter()
    indexes()
    print(f"index built in {time.perf_counter() - start:.1f} s (once per process)")

    rng = random.Random(args.seed)
    sample = rng.sample(pairs, min(args.sample, len(pairs)))
    needs = Need.objects.select_related("strategy__community").in_bulk([n for n, _g in sample])
    times, recalls, ndcgs = [], [], []
    for need_id, good in sample:
        began = time.perf_counter()
        proposals = solutions_for_need(need=needs[need_id], limit=10)
        times.append((time.perf_counter() - began) * 1000)
        ranked = [p.record.pk for p in proposals]
        recalls.append(recall_at(ranked, good, 5))
        ndcgs.append(ndcg_at(ranked, good, 10))
    print(f"recall@5 = {sum(recalls) / len(recalls):.3f}   nDCG@10 = {sum(ndcgs) / len(ndcgs):.3f}")
    print(f"solutions for a need (10, with reasons): {summary(times)}")

    solutions = list(Solution.objects.order_by("?")[: min(args.sample, 200)])
    times = []
    for solution in solutions:
        began = time.perf_counter()
        needs_for_solution(solution=solution, limit=10)
        times.append((time.perf_counter() - began) * 1000)
    print(f"needs for a solution (10, with reasons): {summary(times)}")


if __name__ == "__main__":
    main()
