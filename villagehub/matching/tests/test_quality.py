import io
import json

import pytest
from django.core.management import call_command

from villagehub.matching.generate import matching_generate
from villagehub.matching.quality import ndcg_at, recall_at
from villagehub.matching.selectors import indexes_build
from villagehub.solutions.models import Solution
from villagehub.strategies.models import Need

pytestmark = pytest.mark.django_db


def test_recall_and_ndcg_count_the_good_answers():
    assert recall_at([5, 1, 2], frozenset({1, 9}), 5) == 0.5
    assert recall_at([5, 1, 2], frozenset({1}), 1) == 0.0
    assert ndcg_at([1, 5], frozenset({1}), 10) == 1.0
    assert round(ndcg_at([5, 1], frozenset({1}), 10), 4) == 0.6309


def test_the_good_solution_of_a_generated_need_is_in_the_first_five():
    pairs = matching_generate(solutions=400, needs=300, seed=7)
    assert len(pairs) == 300
    built = indexes_build()
    assert len(built.solutions.profiles) == 400
    recalls, ndcgs = [], []
    for need, good in pairs:
        ranked = [
            m.pk
            for m in built.solutions.search(built.needs.by_pk[need], limit=10, query_is_need=True)
        ]
        recalls.append(recall_at(ranked, good, 5))
        ndcgs.append(ndcg_at(ranked, good, 10))
    assert sum(recalls) / len(recalls) >= 0.9
    assert sum(ndcgs) / len(ndcgs) >= 0.8


def test_generating_the_same_seed_twice_is_refused():
    matching_generate(solutions=5, needs=5, seed=3)
    with pytest.raises(ValueError):
        matching_generate(solutions=5, needs=5, seed=3)


def test_the_generate_command_makes_needs_and_solutions_and_writes_their_pairs(tmp_path):
    out = io.StringIO()
    pairs = tmp_path / "pairs.json"
    call_command(
        "generate", solutions=20, needs=30, seed=5, pairs=str(pairs), no_progress=True, stdout=out
    )
    assert "Generated 20 solutions and 30 needs." in out.getvalue()
    assert Solution.objects.filter(status="published").count() == 20
    assert Need.objects.filter(is_published=True).count() == 30
    written = json.loads(pairs.read_text())
    assert len(written) == 30
    assert all(set(p["solutions"]) <= set(Solution.objects.values_list("pk", flat=True))
               for p in written)  # fmt: skip
