"""Bulk downloads of every public list, streamed row by row so that memory stays flat."""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from villagehub.indicators.downloads import VALUE_COLUMNS, value_rows
from villagehub.news.selectors import NEWS_COLUMNS, news_rows
from villagehub.solutions.selectors import (
    REFERENCE_COLUMNS,
    SOLUTION_COLUMNS,
    reference_rows,
    solution_rows,
)
from villagehub.strategies.selectors import NEED_COLUMNS, STRATEGY_COLUMNS, need_rows, strategy_rows
from villagehub.taxonomy.models import GOAL_TITLES, Goal, Theme

from .kinds import KINDS
from .services import csv_cells, export_records


@dataclass(frozen=True)
class Download:
    columns: tuple[str, ...]
    rows: Callable[[], Iterator[dict[str, Any]]]
    nested: tuple[str, ...] = ()


def _themes() -> Iterator[dict[str, Any]]:
    for theme in Theme.objects.order_by("position", "name", "pk").iterator():
        yield {
            "slug": theme.slug,
            "name": theme.name,
            "description": theme.description,
            "position": theme.position,
            "language": theme.language,
            "translations": theme.translations,
        }


def _goals() -> Iterator[dict[str, Any]]:
    for number in Goal.objects.order_by("number").values_list("number", flat=True):
        titles = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                titles[code] = str(GOAL_TITLES[number])
        yield {"number": number, "title": titles[settings.LANGUAGE_CODE], "titles": titles}


def _kind(name: str) -> Download:
    kind = KINDS[name]
    return Download(
        columns=kind.columns,
        rows=lambda: export_records(name, public=True),
        nested=tuple(kind.nested),
    )


# The public lists, by the name in their address (/downloads/<name>.csv).
DOWNLOADS: dict[str, Download] = {
    "communities": _kind("communities"),
    "organisations": _kind("organisations"),
    "networks": _kind("networks"),
    "practices": _kind("practices"),
    "countries": _kind("factsheets"),
    "themes": Download(
        columns=("slug", "name", "description", "position", "language", "translations"),
        rows=_themes,
    ),
    "sdgs": Download(columns=("number", "title", "titles"), rows=_goals, nested=("titles",)),
    "news": Download(columns=NEWS_COLUMNS, rows=news_rows),
    "solutions": Download(columns=SOLUTION_COLUMNS, rows=solution_rows),
    "references": Download(columns=REFERENCE_COLUMNS, rows=reference_rows),
    "needs": Download(columns=NEED_COLUMNS, rows=need_rows),
    "strategies": Download(columns=STRATEGY_COLUMNS, rows=strategy_rows, nested=("content",)),
    "indicators": Download(columns=VALUE_COLUMNS, rows=value_rows),
}


class _Line:
    """A file-like object whose write() hands back the line, for csv.writer in a generator."""

    def write(self, text: str) -> str:
        return text


def csv_lines(download: Download) -> Iterator[str]:
    writer = csv.DictWriter(_Line(), fieldnames=download.columns, lineterminator="\r\n")
    yield writer.writeheader()
    for record in download.rows():
        yield writer.writerow(csv_cells(record, nested=download.nested))


def json_chunks(records: Iterable[Any], *, head: str = "[", tail: str = "]\n") -> Iterator[str]:
    """A JSON array written one element at a time."""
    yield head
    for n, record in enumerate(records):
        yield ("\n" if n == 0 else ",\n") + json.dumps(record, ensure_ascii=False)
    yield "\n" + tail
