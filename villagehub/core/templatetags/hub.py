from django import template
from django.utils.translation import get_language

from villagehub.core.markup import markdown_html, markdown_text
from villagehub.core.models import CONTENT_LANGUAGES, LocalizedText

register = template.Library()

_LANGUAGE_NAMES = dict(CONTENT_LANGUAGES)


@register.simple_tag(takes_context=True)
def localized(context, obj, field: str) -> LocalizedText:
    """`{% localized practice "title" as title %}`: the visitor's language, else the original."""
    return obj.localized(field, get_language() or "en")


@register.filter
def language_name(code: str) -> str:
    """The name of a language in that language (“dansk”), for notes on untranslated text."""
    return _LANGUAGE_NAMES.get(code, code)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (page links, filter links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def country_name(code: str) -> str:
    """The name of a country from its ISO 3166-1 alpha-2 code, in the page's language."""
    from django_countries import countries

    return str(countries.name(code.upper()) or code)


@register.filter
def markdown(text) -> str:
    """`{{ body|markdown }}`: a Markdown text as sanitised HTML (see `core.markup`)."""
    return markdown_html(str(text or ""))


@register.filter
def markdown_breaks(text) -> str:
    """`{{ description|markdown_breaks }}`: Markdown whose single line breaks stay line
    breaks, for long texts first written as plain text (practices, events)."""
    return markdown_html(str(text or ""), breaks=True)


@register.filter
def markdown_plain(text) -> str:
    """`{{ body|markdown_plain }}`: a Markdown text as plain text (text e-mails, feeds)."""
    return markdown_text(str(text or ""))


@register.inclusion_tag("includes/picture.html")
def picture(obj, sizes: str, css: str = "photo") -> dict:
    """`{% picture practice "(min-width: 40rem) 24rem, 100vw" "card-picture" %}`: the record's
    image in the sizes made for it (WebP, else JPEG), the browser picking the one that fits
    `sizes`; until they are made, the uploaded file. Lazy, and with its width and height so
    that the page does not jump when it arrives."""
    context = {"alt": obj.image_alt, "css": css, "sizes": sizes, "src": obj.image.url}
    copies = obj.image_sizes()
    if not copies:
        return context
    return {
        **context,
        "webp": ", ".join(f"{c.webp} {c.width}w" for c in copies),
        "jpeg": ", ".join(f"{c.jpeg} {c.width}w" for c in copies),
        "src": copies[len(copies) // 2].jpeg,
        "width": obj.image_variants["width"],
        "height": obj.image_variants["height"],
    }


@register.inclusion_tag("includes/picture.html")
def card_picture(obj) -> dict:
    """`{% card_picture practice %}`: the picture of a card in a list (news, practices,
    communities), a third of the width of a wide screen, or a placeholder of the same size."""
    if not obj.image:
        return {"placeholder": True}
    return picture(obj, "(min-width: 40rem) 24rem, 100vw", "card-picture")
