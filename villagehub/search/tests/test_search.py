import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from villagehub.communities.models import Community
from villagehub.communities.services import community_update
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_create, practice_update
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.search import services
from villagehub.search.analysis import query_groups
from villagehub.search.interface import (
    SearchQuery,
    engine,
    search_record_ids,
    search_rows,
    search_suggest,
)
from villagehub.search.models import SearchDocument
from villagehub.search.selectors import (
    SNIPPET_FIELDS,
    SNIPPET_WORDS,
    highlight,
    search_grouped,
    search_hits,
)
from villagehub.search.synonyms import themes_named
from villagehub.taxonomy.models import Goal, Theme
from villagehub.taxonomy.services import theme_update


@pytest.fixture
def demo(db):
    call_command("demo", no_migrate=True, stdout=io.StringIO())


def _first(query, kind):
    results = search_grouped(SearchQuery(text=query))
    return results[kind]["hits"][0].document.title if kind in results else None


@pytest.mark.parametrize(
    ("query", "kind", "title"),
    [
        # English words, stemmed: "canteen" finds "canteens".
        ("canteen", "practice", "100 % organic school canteens"),
        # Theme labels in every language are synonyms: Swedish and French words find an
        # English practice tagged with the school-canteens theme.
        ("skolmat", "practice", "100 % organic school canteens"),
        ("cantine", "practice", "100 % organic school canteens"),
        ("valokuitu", "practice", "Village cooperative and optical fibre network"),
        ("goat farming", "practice", "IoT in goat farming"),
        # Accents are folded.
        ("jozef", "organisation", "Jožef Stefan Institute"),
        ("JOŽEF stefan", "organisation", "Jožef Stefan Institute"),
        # Country names in every interface language find the factsheet.
        ("Lettland", "factsheet", "Latvia"),
        ("Lettonie", "factsheet", "Latvia"),
        ("penela", "community", "Penela"),
    ],
)
def test_the_right_record_comes_first(demo, query, kind, title):
    assert _first(query, kind) == title


def test_every_word_must_match(demo):
    assert _first("goat canteen", "practice") is None


def test_suggest_completes_a_prefix_with_the_address_in_the_visitors_language(client, demo):
    response = client.get("/search/suggest", {"q": "rau"})
    assert json.loads(response.content)["suggestions"][0] == {
        "title": "Raudanmaa",
        "kind": "community",
        "kind_label": "Communities",
        "url": "/communities/raudanmaa/",
    }
    response = client.get("/lv/search/suggest", {"q": "rau"})
    (first, *_rest) = json.loads(response.content)["suggestions"]
    assert (first["url"], first["kind_label"]) == ("/lv/communities/raudanmaa/", "Kopienas")


def test_search_page_groups_results_by_kind_with_highlights(client, demo):
    response = client.get("/search/", {"q": "canteens"})
    assert response.status_code == 200
    assert list(response.context["results"]) == ["practice", "community"]
    assert b"<mark>canteens</mark>" in response.content


def test_search_page_lists_one_kind_in_full(client, demo):
    response = client.get("/search/", {"q": "raudanmaa", "kind": "practice"})
    assert list(response.context["results"]) == ["practice"]
    assert response.context["results"]["practice"]["count"] == 4
    assert len(response.context["results"]["practice"]["hits"]) == 4


ODD_QUERIES = [
    '"', '"unbalanced', "(((", "a)b(", "*", "rau*", "NEAR(a b)", "AND OR NOT", "title:x", "-",
    "^", "' OR 1=1 --", "%", "\x00", "ü" * 10_000, "x " * 5_000, "Ελλάδα Україна 日本 مرحبا",
    "😀🚜",
]  # fmt: skip


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_answer_with_results_or_nothing(client, demo, query):
    for url in ("/search/", "/search/suggest", "/practices/"):
        response = client.get(url, {"q": query})
        assert response.status_code == 200, url


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_any_text_is_a_valid_query(demo, query):
    search_grouped(SearchQuery(text=query))
    search_suggest(query)


def test_highlight_escapes_html_and_marks_matches():
    snippet = highlight("<b>Fibre</b> & canteens", query_groups("canteen"))
    assert snippet == "&lt;b&gt;Fibre&lt;/b&gt; &amp; <mark>canteens</mark>"


def test_index_follows_create_update_and_unpublish(demo):
    raudanmaa = Community.objects.get(slug="raudanmaa")
    practice = practice_create(
        title="Sauna cooperative", community=raudanmaa, summary="A shared lakeside sauna."
    )
    assert _first("lakeside sauna", "practice") == "Sauna cooperative"

    practice_update(practice=practice, title="Village sauna", summary="A shared sauna.")
    assert _first("lakeside", "practice") is None
    assert _first("village sauna", "practice") == "Village sauna"

    practice_update(practice=practice, is_published=False)
    assert _first("sauna", "practice") is None


def test_renaming_a_community_reindexes_its_practices(demo):
    community_update(community=Community.objects.get(slug="penela"), name="Penela Municipality")
    assert _first("municipality goat", "practice") == "IoT in goat farming"


def test_deleting_in_the_back_office_removes_the_document(client, demo, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("c", "c@example.org", "pw"))
    practice = Practice.objects.get(slug="penela-iot-goat-farming")
    response = client.post(f"/admin/practices/practice/{practice.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not SearchDocument.objects.filter(kind="practice", object_id=practice.pk).exists()
    assert _first("goat", "practice") is None


def _indexes():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'search_%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name LIKE 'search_%'")
        return {row[0] for row in cursor.fetchall()}


def test_reindex_rebuilds_the_same_documents_and_indexes(demo):
    """A rebuild drops the full-text index and builds it again at its end (faster than
    keeping it row by row); it must come back, with the same documents."""

    def documents():
        fields = SearchDocument.objects.values_list("kind", "object_id", "title_terms", "tags")
        return sorted(fields), sorted(engine().index_words())

    before, indexes = documents(), _indexes()
    assert any(tags for *_document, tags in before[0])
    if connection.vendor == "postgresql":
        assert "search_document_vector" in indexes
    SearchDocument.objects.all().delete()
    assert _first("canteen", "practice") is None
    out = io.StringIO()
    call_command("reindex", "--no-progress", stdout=out)
    assert (documents(), _indexes()) == (before, indexes)
    assert out.getvalue() == f"Search index rebuilt: {len(before[0])} documents.\n"
    assert _first("canteen", "practice") == "100 % organic school canteens"
    # Batches smaller than a kind write every document too.
    assert services.search_rebuild(chunk_size=3) == len(before[0])
    assert documents() == before


def test_reindex_that_fails_midway_keeps_the_index_it_had(demo, monkeypatch):
    """Batches are analysed in a second thread: its failure still undoes the whole rebuild."""
    before = sorted(engine().index_words())
    made = services._documents_made
    calls = []

    def failing_on_the_second_batch(*args):
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("analysis failed")
        return made(*args)

    monkeypatch.setattr(services, "_documents_made", failing_on_the_second_batch)
    with pytest.raises(RuntimeError, match="analysis failed"):
        services.search_rebuild(chunk_size=2)
    assert sorted(engine().index_words()) == before
    assert _first("canteen", "practice") == "100 % organic school canteens"


def test_practice_list_text_filter_uses_the_search_engine(client, demo):
    response = client.get("/practices/", {"q": "skolmat"})
    titles = sorted(p.title for p in response.context["page"].object_list)
    assert titles == [
        "100 % organic school canteens",
        "A resilient, ecosystemic food project",
        "Municipal farms",
    ]


@pytest.fixture
def villages(db):
    broadband = Theme.objects.get(slug="broadband")
    canteens = Theme.objects.get(slug="school-canteens")
    fibre, food = Goal.objects.get(number=9), Goal.objects.get(number=4)
    raudanmaa = CommunityFactory(
        slug="raudanmaa", name="Raudanmaa", country="FI", population=900,
        description="A village on a lake.", themes=[broadband],
    )  # fmt: skip
    mouans = CommunityFactory(
        slug="mouans", name="Mouans", country="FR", population=10000,
        description="A village in Provence.", themes=[canteens],
    )  # fmt: skip
    for slug, title, community, theme, goal in [
        ("fibre", "Village fibre", raudanmaa, broadband, fibre),
        ("canteens", "Village canteens", mouans, canteens, food),
        ("school-fibre", "Village fibre for schools", mouans, broadband, fibre),
    ]:
        PracticeFactory(slug=slug, title=title, community=community, themes=[theme], goals=[goal])


def _counts(facets):
    return {
        name: {f["value"]: f["count"] for f in values}
        for name, values in facets.items()
        if name != "total"
    }


def test_search_page_counts_every_filter_value(client, villages):
    response = client.get("/search/", {"q": "village"})
    assert response.context["total"] == 5
    assert response.context["facets"]["total"] == 5
    assert _counts(response.context["facets"]) == {
        "kind": {"practice": 3, "community": 2},
        "country": {"fi": 2, "fr": 3},
        "theme": {"broadband": 3, "school-canteens": 2},
        "sdg": {4: 1, 9: 2},
        "size": {"under-2000": 2, "5000-50000": 3},
    }


def test_a_filtered_page_holds_the_chosen_documents_of_the_lowest_and_highest_ids(villages):
    """The engine may walk only the range of ids the filters chose: its ends are in it."""
    rows = search_rows(SearchQuery(text="village", country="fr"), limit=10)
    french = SearchDocument.objects.filter(country="FR").values_list("pk", flat=True)
    assert len(french) == 3 < SearchDocument.objects.count()
    assert sorted(row.document_id for row in rows) == sorted(french)


def test_search_page_counts_each_value_under_the_other_filters(client, villages):
    response = client.get("/search/", {"q": "village", "country": "fr", "theme": "broadband"})
    results = response.context["results"]
    assert [hit.document.title for hit in results["practice"]["hits"]] == [
        "Village fibre for schools"
    ]
    assert list(results) == ["practice"]
    assert _counts(response.context["facets"]) == {
        "kind": {"practice": 1},
        "country": {"fi": 2, "fr": 1},
        "theme": {"broadband": 1, "school-canteens": 2},
        "sdg": {9: 1},
        "size": {"5000-50000": 1},
    }
    # The filters are a plain form: they work without JavaScript and keep the query.
    assert b'<input type="hidden" name="q" value="village">' in response.content
    assert b'id="country-fr" name="country" value="fr" checked' in response.content


def test_search_page_lists_one_kind_under_filters(client, villages):
    response = client.get("/search/", {"q": "village", "kind": "community", "size": "under-2000"})
    hits = response.context["results"]["community"]["hits"]
    assert [hit.document.title for hit in hits] == ["Raudanmaa"]
    assert response.context["page"].paginator.count == 1


def test_a_hits_snippet_is_cut_from_its_records_text(villages):
    results = search_grouped(SearchQuery(text="village"))
    hits = [hit for group in results.values() for hit in group["hits"]]
    snippets = {hit.document.title: hit.snippet for hit in hits}
    assert snippets["Raudanmaa"] == "A <mark>village</mark> on a lake."
    assert snippets["Village fibre"] == "What the <mark>village</mark> does."


@pytest.mark.parametrize(("query", "kind"), [("jozef", "organisation"), ("Lettland", "factsheet")])
def test_every_kind_of_hit_has_its_records_text(demo, query, kind):
    hit = search_grouped(SearchQuery(text=query))[kind]["hits"][0]
    model, field = SNIPPET_FIELDS[kind]
    text = getattr(model.objects.get(pk=hit.document.object_id), field)
    assert text
    assert hit.snippet == highlight(text, query_groups(query), window=SNIPPET_WORDS)


def test_search_page_reports_a_malformed_filter(client, villages):
    response = client.get("/search/", {"q": "village", "sdg": "99"})
    assert response.status_code == 200
    assert len(response.context["problems"]) == 1
    assert response.context["total"] == 5


def test_changing_a_community_refilters_its_practices(villages):
    community_update(community=Community.objects.get(slug="raudanmaa"), population=3000)
    document = SearchDocument.objects.get(kind="practice", title="Village fibre")
    assert document.size_band == "2000-5000"


@pytest.mark.parametrize("query", ["countryfi", "sdg9", "kindpractice", "theme1", "size"])
def test_words_of_the_filters_typed_as_a_query_find_nothing(villages, query):
    assert search_grouped(SearchQuery(text=query)) == {}
    assert search_suggest(query) == []


def _vector(document_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector FROM search_searchdocument WHERE id = %s", [document_id])
        return cursor.fetchone()[0]


def test_postgresql_keeps_the_terms_once_as_the_vector(db):
    """A trigger makes the vector from the terms written, title A and body B, and stores the
    terms empty; it makes it again when they are written again, and only then."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigger")
    practice = PracticeFactory(title="Kylätalo", summary="Yhteinen tila")
    document = SearchDocument.objects.get(kind="practice", object_id=practice.pk)
    assert (document.title_terms, document.body_terms) == ("", "")
    assert "'kylatalo':1A" in _vector(document.pk)
    assert "'yhteinen':2B" in _vector(document.pk)
    practice_update(practice=practice, summary="Uusi sauna")
    document = SearchDocument.objects.get(kind="practice", object_id=practice.pk)
    assert "'sauna'" in _vector(document.pk)
    assert "'yhteinen'" not in _vector(document.pk)
    SearchDocument.objects.filter(pk=document.pk).update(size_band="under-2000")
    assert "'sauna'" in _vector(document.pk)


def test_a_changed_theme_label_finds_the_theme_at_once(demo):
    """Labels are read at each search, not written into the documents: no reindex needed."""
    theme = Theme.objects.get(slug="school-canteens")
    assert _first("mensa", "practice") is None
    theme_update(theme=theme, translations={**theme.translations, "sv": {"name": "Mensa"}})
    assert _first("mensa", "practice") == "100 % organic school canteens"


def test_documents_found_by_a_theme_are_ranked_by_its_labels_then_paged_whole(db):
    canteens = Theme.objects.get(slug="school-canteens")
    tagged_only = [
        PracticeFactory(slug=f"tagged-{n}", title=f"Project {n}", summary="", themes=[canteens])
        for n in range(3)
    ]
    speaks = PracticeFactory(
        slug="speaks", title="Project", summary="Our school canteens cook.", themes=[canteens]
    )
    typed = PracticeFactory(
        slug="typed", title="Project", summary="Skolmat for all.", themes=[canteens]
    )
    PracticeFactory(slug="untagged", title="Project", summary="Food systems.")
    results = search_hits(SearchQuery(text="skolmat", kind="practice"))
    assert results.count() == 5
    # The word typed first, then the words of the theme's labels, then the tag alone.
    order = [hit.document.object_id for hit in results[0:5]]
    assert order[:2] == [typed.pk, speaks.pk]
    assert sorted(order[2:]) == sorted(p.pk for p in tagged_only)
    # Pages are slices of that one order, whatever their size.
    assert [h.document.object_id for n in range(5) for h in results[n : n + 1]] == order
    assert [h.document.object_id for h in (*results[0:2], *results[2:5])] == order


def _given(queries) -> list[bool]:
    """For each scored page the engine was asked for, whether it was given the chosen ids
    (else it listed the matches itself)."""
    scored = [
        q["sql"] for q in queries.captured_queries if "bm25(" in q["sql"] or "ts_rank(" in q["sql"]
    ]
    return ["search_chosen" in sql or "ANY(" in sql for sql in scored]


def test_a_word_naming_a_theme_is_ranked_by_the_index_when_no_filter_drops_its_text(db):
    """The index lists the text matches of a word that names a theme itself when the filters
    drop none of them between the chosen, and is given the chosen when they do: the same
    pages."""
    canteens = Theme.objects.get(slug="school-canteens")
    in_sweden = CommunityFactory(slug="in-sweden", country="SE")
    in_denmark = CommunityFactory(slug="in-denmark", country="DK")
    twice = PracticeFactory(slug="twice", title="Skolmat", summary="Skolmat.", community=in_sweden)
    once = PracticeFactory(slug="once", title="Food", summary="Skolmat.", community=in_denmark)
    later = PracticeFactory(slug="later", title="Food", summary="Skolmat.", community=in_sweden)
    tagged = PracticeFactory(slug="tagged", summary="", themes=[canteens], community=in_sweden)

    def found(**filters):
        query = SearchQuery(text="skolmat", kind="practice", within_kind=True, **filters)
        with CaptureQueriesContext(connection) as queries:
            rows = search_rows(query, limit=10)
        return [row.record_id for row in rows], _given(queries)

    # The word's text matches are listed by the index; those found by the theme are given.
    assert found() == ([twice.pk, once.pk, later.pk, tagged.pk], [False, True])
    # The Danish one lies between the Swedish ones.
    assert found(country="se") == ([twice.pk, later.pk, tagged.pk], [True, True])


def test_the_index_lists_a_page_itself_when_no_other_match_lies_between_the_chosen(db, monkeypatch):
    """A list of one kind is given its chosen documents when the index's match holds others
    between them (on SQLite the match is of every kind); else the index lists them itself."""
    CommunityFactory(slug="kiosk-village", name="Kiosk village")
    place = CommunityFactory(slug="place")
    first = PracticeFactory(slug="first", title="Sauna", summary="", community=place)
    CommunityFactory(slug="sauna-town", name="Sauna town")
    second = PracticeFactory(slug="second", title="Sauna kiosk", summary="", community=place)
    third = PracticeFactory(slug="third", title="Kiosk", summary="", community=place)

    def found(text, *, within_kind=True):
        query = SearchQuery(text=text, kind="practice", within_kind=within_kind)
        with CaptureQueriesContext(connection) as queries:
            rows = search_rows(query, limit=10)
        return sorted(row.record_id for row in rows), _given(queries)

    # PostgreSQL lists the practices among its matches itself, whether its match was of
    # practices alone (a practice list) or of every kind (the search page's practices).
    for within_kind in (True, False):
        sauna = found("sauna", within_kind=within_kind)
        assert sauna == (sorted([first.pk, second.pk]), [connection.vendor == "sqlite"])
        assert found("kiosk", within_kind=within_kind) == (sorted([second.pk, third.pk]), [False])


def test_a_word_that_names_a_theme_and_a_plain_word_must_both_match(db):
    canteens = Theme.objects.get(slug="school-canteens")
    PracticeFactory(slug="a", title="Penela kitchen", summary="", themes=[canteens])
    PracticeFactory(slug="b", title="Penela kitchen", summary="Skolmat.")
    PracticeFactory(slug="c", title="Other kitchen", summary="", themes=[canteens])
    PracticeFactory(slug="d", title="Penela garden", summary="")
    results = search_hits(SearchQuery(text="penela skolmat", kind="practice"))
    assert sorted(hit.document.title for hit in results[0:10]) == ["Penela kitchen"] * 2
    matching = search_record_ids(SearchQuery(text="penela skolmat", kind="practice"))
    assert set(Practice.objects.filter(pk__in=matching).values_list("slug", flat=True)) == {
        "a",
        "b",
    }


def test_a_word_that_many_labels_share_names_no_theme(db):
    broadband = Theme.objects.get(slug="broadband")
    named = [themes for themes, _words in themes_named(query_groups("and village bredband"))]
    assert named == [frozenset(), frozenset(), frozenset({broadband.pk})]
