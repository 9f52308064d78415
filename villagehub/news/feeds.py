"""Atom feeds of published news: the whole hub's, or a network's, a theme's or those in one
language (`?network=`, `?theme=`, `?language=`), in the visitor's language."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from villagehub.core.filters import filters_parse

from .selectors import NewsFilterForm, news_list

FEED_LENGTH = 50
FEED_FILTERS = ("network", "theme", "language")


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose summaries are plain text (`type="text"`), not HTML to be escaped twice."""

    def add_item_elements(self, handler, item):
        description, item["description"] = item.get("description"), None
        super().add_item_elements(handler, item)
        if description:
            handler.addQuickElement("summary", description, {"type": "text"})


class NewsFeed(Feed):
    feed_type = PlainTextAtomFeed
    subtitle = _("News of smart villages and their networks, newest first.")

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # A feed reader shows no page: a bad filter is a 400 whose text names the parameter.
        form = NewsFilterForm(request.GET)
        if not form.is_valid():
            return HttpResponseBadRequest(
                "\n".join(
                    f"{name}: {' '.join(str(e) for e in errors)}"
                    for name, errors in form.errors.items()
                ),
                content_type="text/plain; charset=utf-8",
            )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        filters, _problems = filters_parse(NewsFilterForm, request.GET)  # valid: see __call__
        return {k: filters[k] for k in FEED_FILTERS if k in filters}

    def title(self, filters):
        return _("News of %(hub)s") % {"hub": settings.HUB_NAME}

    def link(self, filters):
        return reverse("news:list")

    def author_name(self):
        return settings.HUB_NAME

    def items(self, filters):
        # The feed instance serves every request: each item carries the language it is read in.
        language = filters.get("language") or get_language() or "en"
        items = list(news_list(filters=filters).prefetch_related("themes")[:FEED_LENGTH])
        for item in items:
            item.feed_language = language
        return items

    def item_title(self, item):
        return str(item.localized("title", item.feed_language))

    def item_description(self, item):
        return str(item.localized("summary", item.feed_language))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.publisher.name if item.publisher else settings.HUB_NAME

    def item_categories(self, item):
        return [theme.slug for theme in item.themes.all()]
