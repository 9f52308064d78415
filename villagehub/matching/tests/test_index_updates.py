"""The kept index follows writes by reading only what changed, and then proposes what a
whole build would."""

import pytest

from villagehub.communities.services import community_update
from villagehub.matching import selectors
from villagehub.matching.generate import matching_generate
from villagehub.solutions import services as solution_services
from villagehub.solutions.models import Solution
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services as strategy_services
from villagehub.strategies.models import Need
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(monkeypatch):
    pairs = matching_generate(solutions=60, needs=90, seed=11)
    first = selectors.indexes()
    builds = []
    whole = selectors.indexes_build
    monkeypatch.setattr(selectors, "indexes_build", lambda: builds.append(1) or whole())
    return {"pairs": pairs, "first": first, "builds": builds}


def _proposals(built, side: str) -> dict[int, list[int]]:
    """Every query profile of one side with the ids of its ten best, in order."""
    if side == "needs":
        queries, index, query_is_need = built.needs, built.solutions, True
    else:
        queries, index, query_is_need = built.solutions, built.needs, False
    return {
        pk: [m.pk for m in index.search(p, limit=10, query_is_need=query_is_need)]
        for pk, p in queries.by_pk.items()
    }


def test_a_write_updates_only_what_changed_and_proposes_what_a_whole_build_would(
    generated, django_assert_max_num_queries
):
    fibre = solution(provider=provider(), name="Optical fibre for farms")
    edited = Solution.objects.filter(status="published").exclude(pk=fibre.pk).first()
    solution_services.solution_update(
        solution=edited, name="Renamed kit", summary=edited.summary, trl=edited.trl,
        language=edited.language, themes=edited.themes.all(),
    )  # fmt: skip
    returned = Solution.objects.filter(status="published").exclude(pk=fibre.pk).first()
    solution_services.solution_update(
        solution=returned, name="Back to draft", summary=returned.summary, trl=returned.trl,
        language=returned.language, themes=returned.themes.all(),
    )  # fmt: skip
    solution_services.solution_submit(solution=edited)
    solution_services.solution_publish(solution=edited, by=None)
    removed = Solution.objects.filter(status="published").exclude(pk=fibre.pk).last()
    removed.delete()
    need = Need.objects.filter(is_published=True).select_related("strategy__community").first()
    community_update(community=need.strategy.community, population=120_000)

    with django_assert_max_num_queries(20):
        updated = selectors.indexes()
    assert generated["builds"] == []  # updated, not built again
    assert fibre.pk in updated.solutions.by_pk
    before = generated["first"].solutions.by_pk[edited.pk]
    assert updated.solutions.by_pk[edited.pk].tokens != before.tokens
    assert returned.pk not in updated.solutions.by_pk  # back to draft until reviewed
    assert removed.pk not in updated.solutions.by_pk
    assert updated.needs.by_pk[need.pk].size_band == "over-50000"
    assert len(updated.solutions) == Solution.objects.filter(status="published").count()

    whole = selectors.indexes_build()
    assert set(updated.solutions.by_pk) == set(whole.solutions.by_pk)
    assert set(updated.needs.by_pk) == set(whole.needs.by_pk)
    for side in ("needs", "solutions"):
        kept, fresh = _proposals(updated, side), _proposals(whole, side)
        # The word weights of untouched profiles drift a little until the next whole
        # build: the first proposals stay the same.
        agree = sum(kept[pk][:3] == fresh[pk][:3] for pk in fresh)
        assert agree >= 0.95 * len(fresh)


def test_a_new_published_need_is_proposed_solutions_and_found_by_them(generated):
    need = Need.objects.filter(is_published=True).select_related("strategy").first()
    strategy = need.strategy
    added = strategy_services.need_add(
        strategy=strategy, title="Optical fibre for farms", description="Fibre to every farm.",
        themes=Theme.objects.filter(slug="broadband"),
    )  # fmt: skip
    assert added.pk not in selectors.indexes().needs.by_pk  # a draft is not proposed
    strategy_services.strategy_submit(strategy=strategy)
    strategy_services.strategy_publish(strategy=strategy, by=None)
    fibre = solution(provider=provider(), name="Optical fibre for farms")

    updated = selectors.indexes()
    assert added.pk in updated.needs.by_pk
    assert generated["builds"] == []
    assert selectors.needs_for_solution(solution=fibre)[0].record == added
    assert selectors.solutions_for_need(need=added)[0].record == fibre


def test_a_changed_theme_builds_everything_again(generated):
    theme = Theme.objects.get(slug="broadband")
    theme.translations = {**theme.translations, "fi": {"name": "Laajakaista ja valokuitu"}}
    theme.save()
    selectors.indexes()
    assert generated["builds"] == [1]


def test_an_index_update_leaves_the_index_in_use_as_it_was(generated):
    before = generated["first"]
    rows, pks = len(before.solutions.profiles), set(before.solutions.by_pk)
    solution(provider=provider(), name="Optical fibre for farms")
    Solution.objects.filter(status="published").first().delete()
    after = selectors.indexes()
    assert after.solutions is not before.solutions
    assert (len(before.solutions.profiles), set(before.solutions.by_pk)) == (rows, pks)
    assert before.solutions.alive.all()
