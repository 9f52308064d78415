"""How good the proposals are against known good pairs: recall@k and nDCG@k."""

import math
from collections.abc import Sequence


def recall_at(ranked: Sequence[int], good: frozenset[int], k: int) -> float:
    """The share of the good answers in the first k, out of as many as fit in k."""
    if not good:
        return 0.0
    return len(set(ranked[:k]) & good) / min(len(good), k)


def ndcg_at(ranked: Sequence[int], good: frozenset[int], k: int) -> float:
    """Normalised discounted cumulative gain of the first k, with binary relevance."""
    gain = sum(1 / math.log2(i + 2) for i, pk in enumerate(ranked[:k]) if pk in good)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(good), k)))
    return gain / ideal if ideal else 0.0
