"""The SQLite engine's storage: an FTS5 index that stores no text, documents that keep
their body terms deflated for its triggers."""

import pytest
from django.db import connection

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.services import practice_update
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.search.interface import SearchQuery, engine, search_total
from villagehub.search.models import SearchDocument

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")


def _index_words() -> dict[str, int]:
    return dict(engine().index_words())


def _stored_body(document_id: int) -> bytes | str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body_terms FROM search_searchdocument WHERE id = %s", [document_id])
        return cursor.fetchone()[0]


def test_body_terms_are_stored_deflated_and_read_back_as_text(db):
    practice = PracticeFactory(title="Kylätalo", summary="Yhteinen tila yhteinen sauna")
    document = SearchDocument.objects.get(kind="practice", object_id=practice.pk)
    assert isinstance(_stored_body(document.pk), bytes)
    assert document.body_terms.startswith("yhteinen tila yhteinen sauna ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT title_terms, body_terms FROM search_fts")
        # The practice's and its community's.
        assert cursor.fetchall() == [(None, None), (None, None)]


def test_index_entries_leave_with_the_terms_a_document_had(db):
    """FTS5 deletes what it is told: had the triggers passed other terms, the old words
    would stay in the vocabulary and keep finding the document."""
    community = CommunityFactory(name="Raudanmaa")
    words = _index_words()
    practice = PracticeFactory(community=community, title="Kylätalo", summary="Yhteinen tila")
    assert _index_words() == {
        **words,
        "raudanmaa": 2,  # the practice's body names its village
        **dict.fromkeys(["kylatalo", "yhteinen", "tila"], 1),
    }
    practice_update(practice=practice, title="Kyläkoulu", summary="Uusi sauna")
    after = _index_words()
    assert "yhteinen" not in after
    assert "kylatalo" not in after
    assert (after["kylakoulu"], after["sauna"]) == (1, 1)
    assert search_total(SearchQuery(text="yhteinen")) == 0
    assert search_total(SearchQuery(text="sauna")) == 1
    practice_update(practice=practice, is_published=False)
    assert _index_words() == words
