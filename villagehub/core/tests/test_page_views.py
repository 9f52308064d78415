from datetime import timedelta

import pytest
from django.utils import timezone

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.core.models import PageView
from villagehub.core.selectors import page_views_by_record, page_views_total
from villagehub.core.services import page_view_count
from villagehub.events.tests.factories import event_make
from villagehub.news.tests.factories import NewsItemFactory, network_with_community
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}


def test_views_are_counted_per_record_and_day_and_bots_are_not():
    network, town = network_with_community()
    item = NewsItemFactory(network=network)
    practice = PracticeFactory(pk=item.pk, community=town)  # same id, another kind
    assert page_view_count(obj=item, user_agent=BROWSER["User-Agent"])
    assert page_view_count(obj=item, user_agent=BROWSER["User-Agent"])
    assert page_view_count(obj=practice, user_agent=BROWSER["User-Agent"])
    for bot in ("Googlebot/2.1", "facebookexternalhit/1.1 (preview)", "curl/8.5", ""):
        assert not page_view_count(obj=item, user_agent=bot)
    assert (page_views_total(item), page_views_total(practice)) == (2, 1)
    assert set(PageView.objects.values_list("day", flat=True)) == {timezone.localdate()}
    # Nothing about the visitor: the table has no column that could hold it.
    assert {f.name for f in PageView._meta.fields} == {
        "id", "content_type", "object_id", "day", "count"
    }  # fmt: skip


@pytest.mark.parametrize(
    "agent",
    [
        # As they really introduce themselves: link previews, libraries, audits.
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0 A",
        "http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)",
        "Go-http-client/2.0",
        "okhttp/4.12.0",
        "Java/17.0.9",
        "axios/1.6.2",
        "Mozilla/5.0 (compatible; Google-InspectionTool/1.0)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/119.0 Safari/537.36 Chrome-Lighthouse",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
    ],
)
def test_programs_that_fetch_a_page_are_not_views(agent):
    item = NewsItemFactory(network=network_with_community()[0])
    assert not page_view_count(obj=item, user_agent=agent)
    for browser in (
        BROWSER["User-Agent"],
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Opera/9.80 (Windows NT 6.1) Presto/2.12.388 Version/12.16",
    ):
        assert page_view_count(obj=item, user_agent=browser)
    assert page_views_total(item) == 3


def test_practice_and_event_pages_count_and_show_views_to_those_who_look_after_them(client):
    network, town = network_with_community()
    practice = PracticeFactory(slug="village-shop", community=town)
    event = event_make(title="Smart Café")
    event.organiser_networks.add(network)
    for url in (practice.get_absolute_url(), event.get_absolute_url()):
        for _n in range(3):
            response = client.get(url, headers=BROWSER)
            assert set(response.cookies) <= {"csrftoken"}
            assert " views</p>" not in response.content.decode()
    assert (page_views_total(practice), page_views_total(event)) == (3, 3)

    def seen(url):
        return client.get(url, headers=BROWSER).content.decode()

    sign_in(client, person("reader"))
    assert "4 views" not in seen(practice.get_absolute_url())
    sign_in(client, person("editor", community_editor=town))
    assert "5 views" in seen(practice.get_absolute_url())
    sign_in(client, person("coordinator", coordinator=network))
    assert "6 views" in seen(practice.get_absolute_url())
    assert "4 views" in seen(event.get_absolute_url())


def test_views_per_record_of_a_list_since_a_day(django_assert_num_queries):
    _network, town = network_with_community()
    first, second, _unseen = (PracticeFactory(community=town) for _n in range(3))
    for practice, views in ((first, 3), (second, 1)):
        for _n in range(views):
            page_view_count(obj=practice, user_agent=BROWSER["User-Agent"])
    PageView.objects.filter(object_id=second.pk).update(
        day=timezone.localdate() - timedelta(days=10)
    )
    practices = type(first).objects.all()
    with django_assert_num_queries(1):
        assert page_views_by_record(practices) == {first.pk: 3, second.pk: 1}
    since = timezone.localdate() - timedelta(days=7)
    assert page_views_by_record(practices, since=since) == {first.pk: 3}
