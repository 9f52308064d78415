"""Counts per filter value from the in-memory copy of the documents' filter values."""

import io
import itertools

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from villagehub.communities.models import Community
from villagehub.communities.services import community_update
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.models import Practice
from villagehub.practices.selectors import (
    practice_facets,
    practice_facets_from_records,
    practice_list,
)
from villagehub.practices.services import practice_update
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.search import counts, interface
from villagehub.search.analysis import query_groups
from villagehub.search.interface import (
    SearchQuery,
    engine,
    search_facets,
    search_rows,
    search_total,
)
from villagehub.search.models import SearchDeletion, SearchDocument, SearchState
from villagehub.search.synonyms import plan
from villagehub.taxonomy.models import Goal, Theme
from villagehub.taxonomy.services import theme_update


@pytest.fixture
def places(db):
    counts.shared.clear()
    themes = list(Theme.objects.order_by("pk")[:3])
    goals = list(Goal.objects.order_by("pk")[:3])
    sizes = itertools.cycle([300, 3000, 30000, 300000, None])
    for n, country in enumerate(["FI", "FR", "SE", "DK", "FI", "PT", "LV"]):
        community = CommunityFactory(
            slug=f"c{n}", name=f"Place {n}", country=country, population=next(sizes),
            themes=[themes[n % 3]],
        )  # fmt: skip
        for m in range(n % 4 + 1):
            PracticeFactory(
                slug=f"p{n}-{m}", title=f"Village work {n} {m}", community=community,
                themes=themes[m % 3 : m % 3 + 2], goals=[goals[(n + m) % 3]],
            )  # fmt: skip
    yield themes, goals
    counts.shared.clear()


def _as_dict(facets):
    return {name: {f["value"]: f["count"] for f in values} for name, values in facets.items()}


def test_counts_are_those_of_the_list_pages(places):
    themes, goals = places
    choices = [
        {},
        {"country": "fi"},
        {"size": "under-2000"},
        {"theme": themes[1].slug},
        {"sdg": goals[0].number},
        {"country": "fr", "theme": themes[0].slug, "sdg": goals[1].number},
        {"country": "se", "size": "2000-5000", "theme": themes[2].slug},
        {"country": "lv", "theme": "no-such-theme"},
    ]
    # And words that name themes: `demokrati`, `bygdefonder`, `frivilligarbete`.
    queries = [
        "village",
        "place 3",
        "demokrati",
        "village demokrati",
        "bygdefonder frivilligarbete",
    ]
    for filters in [*choices, *({"q": q, **f} for q in queries for f in choices[:4])]:
        from_index = practice_facets(filters=filters)
        total = from_index.pop("total")
        assert _as_dict(from_index) == _as_dict(practice_facets_from_records(filters=filters))
        assert total == practice_list(filters={**filters, "sort": "newest"}).count()
        if filters.get("q"):
            assert total == len(practice_list(filters=filters))


def _shared_counts(query, filters):
    found = plan(query_groups(query))
    texts = [engine().text_ids(part) for part in found.text_parts()]
    values = counts.shared.current()
    ids, _worded = counts.combine(values, found, texts)
    return values.counts(ids, filters)


def test_the_shared_copy_follows_every_write(places):
    before, total = _shared_counts("village", {"kind": "practice"})
    assert total == 16
    assert before["country"]["FI"] == 2
    generation = SearchState.objects.get().generation

    # A community moves: its practices' documents are written again, with a new generation.
    community_update(community=Community.objects.get(slug="c0"), country="EE")
    assert SearchState.objects.get().generation > generation
    after, _total = _shared_counts("village", {"kind": "practice"})
    assert after["country"]["FI"] == 1
    assert after["country"]["EE"] == 1

    # A rebuild replaces every document: the copy starts over.
    call_command("reindex", "--no-progress", stdout=io.StringIO())
    state = SearchState.objects.get()
    assert state.rebuilt == state.generation
    rebuilt, total = _shared_counts("village", {"kind": "practice", "country": "EE"})
    assert rebuilt["country"] == after["country"]
    assert total == 1
    assert counts.shared.current().base == SearchDocument.objects.order_by("pk").first().pk


def test_emptied_tables_start_the_copy_over_even_when_the_counter_climbs_past_it(places):
    before, _total = _shared_counts("village", {"kind": "practice"})
    seen = counts.shared.generation
    assert before["country"].get("EE") is None
    # As after a flush: a new state row, whose counter starts again and then climbs past
    # what the copy holds; the documents stamped on the way must not be missed.
    SearchState.objects.all().delete()
    community_update(community=Community.objects.get(slug="c0"), country="EE")
    SearchState.objects.filter(pk=1).update(generation=seen + 5)

    after, _total = _shared_counts("village", {"kind": "practice"})
    assert after["country"]["EE"] == 1


def test_counts_of_documents_without_filter_values():
    values = counts.FilterValues(base=10)
    values.load([(10, "organisation", "", "", ""), (12, "practice", "SE", "", "")])
    found, total = values.counts(np.array([10, 11, 12]), {})
    assert total == 3
    assert found["kind"] == {"organisation": 1, "practice": 1}
    assert found["country"] == {"SE": 1}
    assert found["size"] == {}


def test_more_tag_values_than_bits_in_a_word():
    values = counts.FilterValues()
    values.load([(n, "practice", "", "", f"theme{n} sdg{n % 17}") for n in range(200)])
    found, total = values.counts(np.arange(200), {"theme": 150})
    assert total == 1
    assert found["theme"][199] == 1
    assert found["sdg"] == {150 % 17: 1}


def test_the_shared_copy_forgets_removed_documents(places):
    """Documents found by a theme come from the copy: a removed one must not stay in it."""
    themes, _goals = places
    word = "demokrati"
    assert themes[0].slug == "local-democracy"
    _before, total = _shared_counts(word, {"kind": "practice"})
    assert total == sum(1 for p in Practice.objects.all() if themes[0] in p.themes.all())
    practice = Practice.objects.filter(themes=themes[0]).first()
    practice_update(practice=practice, is_published=False)
    assert SearchDeletion.objects.count() == 1

    _after, total_after = _shared_counts(word, {"kind": "practice"})
    assert total_after == total - 1
    # A rebuild starts every copy over, so the notes of removals are no longer needed.
    call_command("reindex", "--no-progress", stdout=io.StringIO())
    assert not SearchDeletion.objects.exists()
    assert _shared_counts(word, {"kind": "practice"})[1] == total - 1


@pytest.fixture
def fresh_copies():
    """Outside transactions searches share this process's copies: each test starts and ends
    without them."""
    counts.shared.clear()
    interface._kept_match.cache_clear()
    interface._kept_themes.cache_clear()
    yield
    counts.shared.clear()
    interface._kept_match.cache_clear()
    interface._kept_themes.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_a_renamed_label_reaches_searches_outside_transactions(fresh_copies):
    """Kept matches are keyed by the themes' table version too: renaming a label changes no
    document, yet the next search must see it."""
    theme = Theme.objects.create(slug="kitchens", name="Shared kitchens", language="en")
    PracticeFactory(slug="tagged", title="Project", summary="", themes=[theme])
    assert search_total(SearchQuery(text="mensa")) == 0
    theme_update(theme=theme, translations={"sv": {"name": "Mensa"}})
    assert search_total(SearchQuery(text="mensa")) == 1


@pytest.mark.django_db(transaction=True)
def test_outside_transactions_the_themes_are_read_again_only_when_their_table_changes(
    fresh_copies,
):
    theme = Theme.objects.create(slug="kitchens", name="Shared kitchens", language="en")
    PracticeFactory(slug="tagged", title="Project", summary="", themes=[theme])
    query = SearchQuery(text="project", kind="practice", theme="kitchens")

    def themes_read() -> int:
        interface._kept_match.cache_clear()  # the words are looked up again, as if new
        with CaptureQueriesContext(connection) as done:
            assert search_total(query) == 1
            assert search_facets(query)["theme"][0]["theme"] == theme
        return sum('FROM "taxonomy_theme"' in q["sql"] for q in done.captured_queries)

    assert themes_read() == 1
    assert themes_read() == 0
    theme_update(theme=theme, translations={"sv": {"name": "Mensa"}})
    assert themes_read() == 1


def _harbours(count: int, *, title, finnish) -> None:
    """`count` practices about harbours, in a Finnish or a Swedish community."""
    communities = {
        True: CommunityFactory(slug="fi", name="Koski", country="FI"),
        False: CommunityFactory(slug="se", name="Forsby", country="SE"),
    }
    for n in range(count):
        PracticeFactory(
            slug=f"h{n}", title=title(n), summary="", community=communities[bool(finnish(n))]
        )


@pytest.mark.django_db(transaction=True)
def test_pages_outside_transactions_are_those_inside(fresh_copies):
    """Outside a transaction the shared copy and the kept matches answer; inside, a copy of
    the transaction's own view: both give the same pages."""
    _harbours(
        12, title=lambda n: "Harbour " + "harbour " * (n % 4) + str(n), finnish=lambda n: n % 3
    )
    query = SearchQuery(text="harbour", kind="practice", country="FI")
    first = search_rows(query, limit=5)
    rest = search_rows(query, limit=5, offset=5)
    assert len(first) == 5 and len(rest) == 3
    assert counts.shared.values is not None
    with transaction.atomic():
        assert search_rows(query, limit=5) == first
        assert search_rows(query, limit=5, offset=5) == rest


@pytest.mark.django_db(transaction=True)
def test_a_document_written_between_the_state_and_the_text_match_is_counted(fresh_copies):
    """The copy as of the state read before the text match may lack a document that the
    match lists: it is brought up to date."""
    _harbours(2, title=lambda n: f"Harbour {n}", finnish=lambda n: n)
    query = SearchQuery(text="harbour", kind="practice")
    assert search_total(query) == 2
    state = counts.search_state()
    PracticeFactory(slug="late", title="Harbour late", summary="")
    groups = tuple(map(tuple, query_groups("harbour")))
    values, match = interface._match(groups, "practice", (), state)
    assert len(values.select(match.ids, {"kind": "practice"})) == 3


@pytest.mark.django_db(transaction=True)
def test_a_write_between_the_match_and_its_page_keeps_the_shared_copy(fresh_copies, monkeypatch):
    """A practice edited while a search runs: the copy, which the write's generation brings
    up to date, is not thrown away (starting over reads every document again)."""
    _harbours(8, title=lambda n: f"Harbour {n}", finnish=lambda n: n % 2)
    query = SearchQuery(text="harbour", kind="practice", country="FI")

    def found():
        # The edit may change a score (BM25 weighs a document's length), not who is found.
        return sorted(row[:2] for row in search_rows(query, limit=10))

    expected = found()
    assert len(expected) == 4
    matching = interface._matching

    def then_a_write(*args, **kwargs):
        kept = matching(*args, **kwargs)
        practice_update(practice=Practice.objects.get(slug="h1"), summary="Edited")
        return kept

    monkeypatch.setattr(interface, "_matching", then_a_write)
    assert found() == expected
    kept = counts.shared.values
    assert kept is not None
    monkeypatch.undo()
    assert found() == expected
    assert counts.shared.values is kept


def test_country_labels_are_in_the_language_of_the_page(places):
    query = SearchQuery(text="village", kind="practice", within_kind=True)
    labels = {}
    for language in ("en", "sv", "en"):
        with translation.override(language):
            labels[language] = {f["value"]: f["label"] for f in search_facets(query)["country"]}
    assert (labels["en"]["se"], labels["sv"]["se"]) == ("Sweden", "Sverige")
