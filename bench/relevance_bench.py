"""Relevance of the search in the 24 EU languages: the queries of bench/relevance/cases.yaml
(inflected forms that differ from the text's) against their practices, added for the run to
whatever the database holds (the generated practices of `make bench` are the distractors)
and rolled back after. Reports nDCG@10 and recall@10 per language.

Usage: DATABASE_URL=... python bench/relevance_bench.py [--target 0.8]
"""

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")

import django

django.setup()

import yaml  # noqa: E402
from django.db import transaction  # noqa: E402

from villagehub.communities.services import community_create  # noqa: E402
from villagehub.practices.models import Practice  # noqa: E402
from villagehub.practices.services import practice_create  # noqa: E402
from villagehub.search.interface import SearchQuery  # noqa: E402
from villagehub.search.selectors import search_hits  # noqa: E402

CASES = Path(__file__).resolve().parent / "relevance" / "cases.yaml"
K = 10
# Countries of the EU languages, for the communities that hold each language's practices.
COUNTRIES = {
    "bg": "BG", "cs": "CZ", "da": "DK", "de": "DE", "el": "GR", "en": "IE", "es": "ES",
    "et": "EE", "fi": "FI", "fr": "FR", "ga": "IE", "hr": "HR", "hu": "HU", "it": "IT",
    "lt": "LT", "lv": "LV", "mt": "MT", "nl": "NL", "pl": "PL", "pt": "PT", "ro": "RO",
    "sk": "SK", "sl": "SI", "sv": "SE",
}  # fmt: skip


def ndcg(found: list[int], relevant: set[int], k: int = K) -> float:
    """Binary relevance: each relevant record in the first k counts 1/log2(rank + 1)."""
    dcg = sum(1 / math.log2(rank + 2) for rank, pk in enumerate(found[:k]) if pk in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0


def practices_made(cases: dict) -> dict[tuple[str, str], int]:
    made = {}
    for language, case in cases.items():
        community = community_create(
            name=f"Relevance {language}",
            country=COUNTRIES[language],
            language=language,
            kind="village",
            source="bench-relevance",
        )
        for document in case["documents"]:
            practice = practice_create(
                title=document["title"],
                summary=document["summary"],
                language=language,
                community=community,
                source="bench-relevance",
            )
            made[language, document["key"]] = practice.pk
    return made


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=float, default=0.8)
    args = parser.parse_args()
    cases = yaml.safe_load(CASES.read_text())
    practices = Practice.objects.count()
    print(f"== search relevance: {len(cases)} languages, {practices} practices in the database")
    print(f"{'language':<9} {'queries':>7} {'nDCG@10':>8} {'recall@10':>9}  missed")
    below = []
    scores = []
    timings = []
    with transaction.atomic():
        made = practices_made(cases)
        for language, case in cases.items():
            ndcgs, recalls, missed = [], [], []
            for query in case["queries"]:
                relevant = {made[language, key] for key in query["relevant"]}
                start = time.perf_counter()
                results = search_hits(SearchQuery(text=query["query"], kind="practice"))
                found = [hit.document.object_id for hit in results[:K]]
                timings.append((time.perf_counter() - start) * 1000)
                ndcgs.append(ndcg(found, relevant))
                recalls.append(len(relevant & set(found)) / len(relevant))
                if recalls[-1] < 1:
                    missed.append(query["query"] + (" (known gap)" if query.get("gap") else ""))
            score = sum(ndcgs) / len(ndcgs)
            scores.append(score)
            recall = sum(recalls) / len(recalls)
            print(
                f"{language:<9} {len(ndcgs):>7} {score:>8.3f} {recall:>9.3f}  {', '.join(missed)}"
            )
            if score < args.target:
                below.append(language)
        transaction.set_rollback(True)
    timings.sort()
    print(
        f"mean nDCG@10 {sum(scores) / len(scores):.3f}; languages below {args.target}: "
        f"{', '.join(below) or 'none'}; query p50 {timings[len(timings) // 2]:.0f} ms "
        f"(in a transaction: filter values read from the database)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
