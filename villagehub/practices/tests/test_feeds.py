import datetime
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from villagehub.practices.models import Practice
from villagehub.practices.services import practice_update
from villagehub.practices.tests.factories import PracticeFactory

ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = pytest.mark.django_db


def entries(client, path="/feeds/practices.atom"):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 - the hub's own feed
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    return feed.findall(f"{ATOM}entry")


def test_feed_lists_published_practices_last_changed_first(client):
    older = PracticeFactory(slug="older", title="Village hall")
    PracticeFactory(slug="newer", title="Community fund")
    PracticeFactory(slug="draft", is_published=False)
    Practice.objects.filter(pk=older.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )

    found = entries(client)

    assert [e.find(f"{ATOM}title").text for e in found] == ["Community fund", "Village hall"]
    for entry in found:
        for required in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None, required


def test_an_update_moves_a_practice_to_the_top(client):
    first = PracticeFactory(slug="first", title="Village hall")
    PracticeFactory(slug="second", title="Community fund")
    Practice.objects.update(updated_at=timezone.now() - datetime.timedelta(days=1))

    practice_update(practice=first, summary="Now with a café.")

    assert entries(client)[0].find(f"{ATOM}title").text == "Village hall"


def test_feed_speaks_the_visitor_language(client):
    PracticeFactory(
        slug="ting", title="Village assembly", translations={"sv": {"title": "Bystämma"}}
    )

    found = entries(client, "/sv/feeds/practices.atom")

    assert found[0].find(f"{ATOM}title").text == "Bystämma"


def test_feed_sends_summaries_as_plain_text_never_as_markup(client):
    PracticeFactory(
        slug="ting", title="<b>Torup</b> Ting", summary="<script>alert(1)</script> & co"
    )

    response = client.get("/feeds/practices.atom")

    summary = entries(client)[0].find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "<script>alert(1)</script> & co"
    assert entries(client)[0].find(f"{ATOM}title").text == "<b>Torup</b> Ting"
    assert b"<script>" not in response.content


def test_feed_leaves_out_control_characters_stored_before_they_were_refused(client):
    practice = PracticeFactory(slug="ting", title="Torup Ting")
    Practice.objects.filter(pk=practice.pk).update(
        title="Torup\x1b Ting", summary="Nul\x01 and\x11 bell\x07 kept out\ufffe.\ttab\nline"
    )

    for path in ("/feeds/practices.atom", "/sv/feeds/practices.atom", "/fi/feeds/practices.atom"):
        entry = entries(client, path)[0]
        assert entry.find(f"{ATOM}title").text == "Torup Ting"
        assert entry.find(f"{ATOM}summary").text == "Nul and bell kept out.\ttab\nline"
