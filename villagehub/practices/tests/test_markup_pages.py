"""Practices' and events' long texts are Markdown, shown safely, and old plain texts look as
they did (line breaks kept)."""

import pytest

from villagehub.events.tests.factories import event_make
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

TEXT = "## How\n\n- a **fibre** cooperative\n- [its site](https://example.org/coop)\n\n<script>x()</script>"


def test_a_practice_page_renders_its_texts_as_safe_markdown(client):
    practice = PracticeFactory(
        slug="fibre", title="Fibre", description=TEXT, results="Line one\nLine two"
    )
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "<h2>How</h2>" in page
    assert "<li>a <strong>fibre</strong> cooperative</li>" in page
    assert '<a href="https://example.org/coop" rel="nofollow noopener">its site</a>' in page
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page
    assert "<p>Line one<br>\nLine two</p>" in page


def test_an_event_page_renders_its_description_as_safe_markdown(client):
    event = event_make(description=TEXT)
    page = client.get(f"/events/{event.slug}/").content.decode()
    assert "<li>a <strong>fibre</strong> cooperative</li>" in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
