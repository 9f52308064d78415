"""“Did you mean” on /search/ and /practices/: a misspelt word is replaced by the closest
word of the index, offered as a link when the search finds nothing."""

import pytest

from villagehub.practices.tests.factories import PracticeFactory
from villagehub.search import spelling
from villagehub.search.interface import search_spelling


@pytest.fixture
def practices(db):
    # The process keeps the vocabulary; each test's database is new.
    spelling._vocabulary.cache_clear()
    PracticeFactory(
        title="Solar panels on the school roof", summary="Pupils raised money.", language="en"
    )
    PracticeFactory(
        title="Ciemats atjauno skolu", summary="Iedzīvotāji strādā kopā.", language="lv"
    )


def test_a_misspelt_word_is_replaced_by_the_closest_indexed_word(practices):
    assert search_spelling("solr") == "solar"
    assert search_spelling("pannels roof") == "panels roof"
    assert search_spelling("ciemtas") == "ciemats"


def test_nothing_is_suggested_for_known_or_unlike_words(practices):
    assert search_spelling("solar panels") is None
    assert search_spelling("xylophone") is None
    # Inflected forms are known through their base form: nothing to correct.
    assert search_spelling("ciematiem") is None


def test_the_search_page_links_the_suggestion(client, practices):
    response = client.get("/search/", {"q": "pannels", "kind": "practice"})
    html = response.content.decode()
    assert 'Did you mean: <a href="?q=panels&amp;kind=practice">panels</a>' in html
    # Following it finds the practice.
    response = client.get("/search/", {"q": "panels", "kind": "practice"})
    assert "on the school roof" in response.content.decode()
    assert "Did you mean" not in response.content.decode()


def test_the_practice_list_links_the_suggestion(client, practices):
    response = client.get("/practices/", {"q": "schol roof"})
    assert 'Did you mean: <a href="?q=school+roof">school roof</a>' in response.content.decode()


def test_the_suggestion_is_translated(client, practices):
    response = client.get("/sv/practices/", {"q": "solr"})
    assert "Menade du:" in response.content.decode()
