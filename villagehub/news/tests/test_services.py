import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from villagehub.accounts.tests.factories import person
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.news.models import NewsItem
from villagehub.news.selectors import news_get_for_editor, news_get_for_publisher, news_list
from villagehub.news.services import news_create, news_publish, news_update, news_withdraw
from villagehub.search.models import SearchDocument
from villagehub.taxonomy.models import Theme

from .factories import network_with_community

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    net_a, town_a = network_with_community()
    net_b, town_b = network_with_community()
    return {
        "net_a": net_a,
        "town_a": town_a,
        "net_b": net_b,
        "town_b": town_b,
        "editor_a": person("editor_a", community_editor=town_a),
        "coordinator_a": person("coordinator_a", coordinator=net_a),
        "coordinator_b": person("coordinator_b", coordinator=net_b),
        "participant": person("participant"),
    }


def test_an_editor_writes_a_draft_that_a_coordinator_of_the_network_publishes(world):
    broadband = Theme.objects.get(slug="broadband")
    item = news_create(
        by=world["editor_a"],
        title="Fibre reaches the last farm",
        summary="All 40 households are connected.",
        body="## How\n\nThe cooperative dug the last kilometre.",
        language="fi",
        community=world["town_a"],
        themes=[broadband],
        countries=["FI"],
    )
    assert item.slug == "fibre-reaches-the-last-farm"
    assert item.published_at is None
    assert item.written_by == world["editor_a"]
    assert list(news_list(filters={})) == []
    assert not SearchDocument.objects.filter(kind="news").exists()

    with pytest.raises(ValidationError) as refused:
        news_publish(item=item, by=world["editor_a"])
    assert refused.value.messages == ["Only the coordinators of its network publish this item."]
    with pytest.raises(ValidationError):
        news_publish(item=item, by=world["coordinator_b"])

    news_publish(item=item, by=world["coordinator_a"])
    item.refresh_from_db()
    assert item.published_at is not None
    assert list(news_list(filters={})) == [item]
    document = SearchDocument.objects.get(kind="news", object_id=item.pk)
    assert document.url == "/news/fibre-reaches-the-last-farm/"
    assert document.country == "FI"

    first = item.published_at
    news_publish(item=item, by=world["coordinator_a"])
    item.refresh_from_db()
    assert item.published_at == first

    news_withdraw(item=item, by=world["coordinator_a"])
    assert NewsItem.objects.get(pk=item.pk).published_at is None
    assert not SearchDocument.objects.filter(kind="news").exists()


def test_nobody_writes_for_a_publisher_they_do_not_edit(world):
    with pytest.raises(ValidationError) as refused:
        news_create(by=world["editor_a"], title="T", summary="S", community=world["town_b"])
    assert refused.value.message_dict == {
        "community": ["You do not write news for this community."]
    }
    with pytest.raises(ValidationError) as refused:
        news_create(by=world["coordinator_a"], title="T", summary="S", network=world["net_b"])
    assert refused.value.message_dict == {"network": ["You do not write news for this network."]}
    with pytest.raises(ValidationError) as refused:
        news_create(by=world["participant"], title="T", summary="S")
    assert refused.value.message_dict == {
        "network": ["Choose the network or community that publishes it."]
    }
    assert NewsItem.objects.count() == 0


def test_a_coordinator_writes_for_the_network_and_its_communities(world):
    own = news_create(by=world["coordinator_a"], title="T", summary="S", network=world["net_a"])
    town = news_create(by=world["coordinator_a"], title="U", summary="S", community=world["town_a"])
    assert {own.network, town.community} == {world["net_a"], world["town_a"]}


def test_an_item_moved_to_a_foreign_publisher_is_refused_and_kept(world):
    item = news_create(by=world["editor_a"], title="T", summary="S", community=world["town_a"])
    with pytest.raises(ValidationError):
        news_update(item=item, by=world["editor_a"], community=world["town_b"])
    item.refresh_from_db()
    assert item.community == world["town_a"]


def test_bad_values_name_their_field(world):
    with pytest.raises(ValidationError) as refused:
        news_create(
            by=None,
            title="T",
            summary="S",
            network=world["net_a"],
            community=world["town_a"],
            translations={"xx": {"title": "?"}},
        )
    assert set(refused.value.message_dict) == {"community", "translations"}


def test_scoped_lookups_give_404_for_other_peoples_items(world):
    item = news_create(by=world["editor_a"], title="T", summary="S", community=world["town_a"])
    assert news_get_for_editor(slug=item.slug, user=world["editor_a"]) == item
    assert news_get_for_editor(slug=item.slug, user=world["coordinator_a"]) == item
    assert news_get_for_publisher(slug=item.slug, user=world["coordinator_a"]) == item
    for user in (world["coordinator_b"], world["participant"]):
        with pytest.raises(Http404):
            news_get_for_editor(slug=item.slug, user=user)
        with pytest.raises(Http404):
            news_get_for_publisher(slug=item.slug, user=user)
    with pytest.raises(Http404):
        news_get_for_publisher(slug=item.slug, user=world["editor_a"])
    # Once published, the editor no longer changes it; its coordinators do.
    news_publish(item=item, by=world["coordinator_a"])
    with pytest.raises(Http404):
        news_get_for_editor(slug=item.slug, user=world["editor_a"])
    assert news_get_for_editor(slug=item.slug, user=world["coordinator_a"]) == item


def test_network_filter_includes_its_communities_news(world):
    other = CommunityFactory()
    a = news_create(by=None, title="Net", summary="S", network=world["net_a"])
    b = news_create(by=None, title="Town", summary="S", community=world["town_a"])
    c = news_create(by=None, title="Other", summary="S", community=other)
    for item in (a, b, c):
        news_publish(item=item, by=None)
    slugs = {i.slug for i in news_list(filters={"network": world["net_a"].slug})}
    assert slugs == {"net", "town"}
