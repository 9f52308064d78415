from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from villagehub.core.feeds import TextAtomFeed

from .selectors import practice_list_base

FEED_LENGTH = 50


class PracticeFeed(Feed):
    """New and updated good practices, newest change first (Atom 1.0)."""

    feed_type = TextAtomFeed
    title = _("New and updated good practices")
    subtitle = _("Good practices and initiatives of smart villages, as they are added or changed.")

    def link(self):
        return reverse("practices:list")

    def author_name(self):
        return settings.HUB_NAME

    def items(self):
        return (
            practice_list_base()
            .select_related("community")
            .order_by("-updated_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return str(item.localized("title", get_language() or "en"))

    def item_description(self, item):
        return str(item.localized("summary", get_language() or "en"))

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.community.name if item.community else settings.HUB_NAME

    def item_categories(self, item):
        return [theme.slug for theme in item.themes.all()]
