"""The main public pages read the database a fixed number of times, however many records
they list (as Zulip pins its pages' queries): a query added to a list, or one per row, fails
here. Each page is asked for once before it is measured, with another query string (so that
the page cache does not answer), so that what is measured is what a visitor meets once the
hub runs: the search's in-memory counts loaded, the session and the interface texts read."""

from typing import cast

import pytest

from villagehub.communities.models import Community, Network
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.events.tests.factories import event_make
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db

# page: (queries, what the page must show of the records listed). What /search/ finds is
# search's own tests' concern (`search/tests/`); here only its queries are pinned.
PAGES: dict[str, tuple[int, str | None]] = {
    "/search/?q=sauna": (8, None),
    "/practices/": (6, "Village sauna 0"),
    "/practices/?q=sauna": (8, "Village sauna 0"),
    "/communities/": (9, "Kylä 0"),
    "/events/": (5, "Sauna café 0"),
}


def _world(size: int):
    """`size` Finnish villages of one network, each with a practice and a café, all with
    the same three themes."""
    themes = list(Theme.objects.order_by("pk")[:3])
    network = cast(Network, NetworkFactory())
    for n in range(size):
        village = cast(Community, CommunityFactory(name=f"Kylä {n}", country="FI", themes=themes))
        village.networks.add(network)
        PracticeFactory(community=village, title=f"Village sauna {n}", themes=themes)
        event_make(title=f"Sauna café {n}")


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("page", list(PAGES))
def test_list_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries, page, size):
    _world(size)
    queries, shown = PAGES[page]
    client.get(page + ("&" if "?" in page else "?") + "first=1")
    with django_assert_num_queries(queries):
        response = client.get(page)
    assert response.status_code == 200
    if shown is not None:
        assert shown in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_practice_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    _world(size)
    practice = PracticeFactory(
        community=CommunityFactory(name="Torup", country="DK"),
        title="Torup Ting",
        themes=list(Theme.objects.order_by("pk")[:3]),
    )
    client.get(practice.get_absolute_url() + "?first=1")
    with django_assert_num_queries(11):
        response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    assert "Torup Ting" in response.content.decode()
