"""The hub's one safe markup: Markdown for long texts written by people.

The text is parsed by markdown-it-py (CommonMark, raw HTML switched off, so `<script>` stays
text) and the HTML it produces is cleaned again by nh3 (the Rust `ammonia` sanitiser) with a
short list of tags, attributes and URL schemes: what a person writes can carry headings,
lists, links, emphasis, quotes, tables and images with descriptions, never script, styles or
event handlers.
"""

import html

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


def _make_parser(*, breaks: bool) -> MarkdownIt:
    parser = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": breaks}
    )
    parser.enable("table")
    parser.enable("strikethrough")
    return parser


_parser = _make_parser(breaks=False)
# Practices' and events' long texts were written as plain text before they took Markdown,
# and their single line breaks were shown as line breaks: they still are.
_parser_breaks = _make_parser(breaks=True)

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr", "img",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown_html(text: str, *, breaks: bool = False) -> SafeString:
    """The sanitised HTML of a Markdown text (an empty string for an empty text); with
    `breaks`, a single line break is a line break (`<br>`), as in plain text."""
    if not text:
        return mark_safe("")
    # A page has one h1, its title: a text's headings start one level below.
    rendered = (
        (_parser_breaks if breaks else _parser)
        .render(text)
        .replace("<h1>", "<h2>")
        .replace("</h1>", "</h2>")
    )
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 above


def markdown_text(text: str) -> str:
    """The plain text of a Markdown text, for summaries, feeds and text e-mails."""
    if not text:
        return ""
    return html.unescape(nh3.clean(_parser.render(text), tags=set())).strip()
