import io

import pytest
from django.core.management import CommandError, call_command

from villagehub.communities.models import Community
from villagehub.practices.models import Practice
from villagehub.search.interface import SearchQuery
from villagehub.search.selectors import search_grouped


def _snapshot():
    return (
        list(
            Community.objects.order_by("slug").values_list("slug", "name", "country", "population")
        ),
        list(Practice.objects.order_by("slug").values_list("slug", "title", "language")),
    )


def test_generate_is_deterministic_for_a_seed(db):
    call_command(
        "generate", communities=40, practices=90, seed=3, no_progress=True, stdout=io.StringIO()
    )
    first = _snapshot()
    Practice.objects.all().delete()
    Community.objects.all().delete()
    call_command(
        "generate", communities=40, practices=90, seed=3, no_progress=True, stdout=io.StringIO()
    )
    assert _snapshot() == first
    assert (len(first[0]), len(first[1])) == (40, 90)


def test_generate_writes_in_every_interface_language_and_indexes_it(db):
    call_command(
        "generate", communities=300, practices=600, seed=1, no_progress=True, stdout=io.StringIO()
    )
    languages = set(Practice.objects.values_list("language", flat=True))
    assert languages == {"da", "sv", "fi", "fr", "pt", "lv", "sl"}
    assert set(Community.objects.values_list("source", flat=True)) == {"generated"}
    assert search_grouped(SearchQuery(text="skolmat"))["practice"]["count"] > 0


def test_generated_data_is_never_part_of_the_demo(db):
    call_command("demo", no_migrate=True, stdout=io.StringIO())
    assert not Community.objects.filter(source="generated").exists()


def test_generate_refuses_practices_without_communities(db):
    with pytest.raises(CommandError, match="Practices need communities"):
        call_command("generate", communities=0, practices=5, no_progress=True)


def test_generate_refuses_the_same_seed_twice(db):
    call_command(
        "generate", communities=2, practices=2, seed=9, no_progress=True, stdout=io.StringIO()
    )
    with pytest.raises(CommandError, match="seed 9 was generated already"):
        call_command("generate", communities=2, practices=2, seed=9, no_progress=True)
