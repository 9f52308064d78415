"""Keeping search documents current; the domain services call these on every write."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import numpy as np
from django.conf import settings
from django.db import models, transaction
from django.db.models.expressions import RawSQL
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import override

from villagehub.communities.models import Community
from villagehub.countries.models import Factsheet
from villagehub.news.models import NewsItem
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice

from .analysis import terms
from .counts import generation_next
from .interface import engine
from .models import SearchDeletion, SearchDocument, SearchState

Kind = SearchDocument.Kind
# The kind of each searchable model, and the records of each kind. Their themes and goals
# are read a chunk at a time as plain ids (`_related`), not prefetched as model instances.
KINDS = {
    Practice: Kind.PRACTICE,
    Community: Kind.COMMUNITY,
    Organisation: Kind.ORGANISATION,
    Factsheet: Kind.FACTSHEET,
    NewsItem: Kind.NEWS,
}
# Practices and communities are most of the documents: only the fields their documents use
# (see `_document_fields`) are read, so that their instances are cheaper to make.
_OWN = ("slug", "language", "translations")
_PLACE = ("name", "region", "language", "country", "population")
SEARCHABLE: dict[str, Callable[[], models.QuerySet[Any]]] = {
    Kind.PRACTICE: lambda: Practice.objects.select_related("community").only(
        *_OWN, "is_published", *Practice.translatable_fields, *(f"community__{f}" for f in _PLACE)
    ),
    Kind.COMMUNITY: lambda: Community.objects.only(*_OWN, *_PLACE, "description"),
    Kind.ORGANISATION: lambda: Organisation.objects.all(),
    Kind.FACTSHEET: lambda: Factsheet.objects.all(),
    Kind.NEWS: lambda: NewsItem.objects.select_related("network", "community"),
}
_TAGGED = (Practice, Community, NewsItem)
# A document's fields; a record with its themes' ids and goals' numbers; a record's URL; the
# rebuild's report of each batch read.
Fields = dict[str, Any]
Related = tuple[Any, Iterable[int], Iterable[int]]
UrlMaker = Callable[[Any], str]
Progress = Callable[[int], object]


def _body(obj: Any, own: Iterable[str], translated: Iterable[str], *more: str) -> str:
    """The terms of a record's own texts in its language, of their translations, and more."""
    own_text = " ".join(getattr(obj, name) or "" for name in own)
    body = [terms(own_text, obj.language), *more]
    for language, values in (obj.translations or {}).items():
        body.extend(terms(values[name], language) for name in translated if values.get(name))
    return " ".join(body)


def _document_fields(obj: models.Model, themes: Iterable[int], goals: Iterable[int]) -> Fields:
    """The fields of a record's document, but its kind, language and URL.

    Theme labels are not part of its text: the themes are its tags, and a query word that
    names a theme finds the documents tagged with it (see synonyms).
    """
    tags = " ".join([*(f"theme{pk}" for pk in sorted(themes)), *(f"sdg{n}" for n in sorted(goals))])
    if isinstance(obj, Practice):
        place = obj.community
        texts = [name for name in Practice.translatable_fields if name != "title"]
        where = terms(f"{place.name} {place.region}", place.language) if place else ""
        return {
            "title": obj.title,
            "title_terms": terms(obj.title, obj.language),
            "body_terms": _body(obj, texts, Practice.translatable_fields, where),
            "country": place.country.code if place else "",
            "size_band": (place.size_band or "") if place else "",
            "tags": tags,
        }
    if isinstance(obj, Community):
        return {
            "title": obj.name,
            "title_terms": terms(obj.name, obj.language),
            "body_terms": _body(obj, ("region", "description"), ("description",)),
            "country": obj.country.code,
            "size_band": obj.size_band or "",
            "tags": tags,
        }
    if isinstance(obj, Organisation):
        return {
            "title": obj.name,
            "title_terms": terms(f"{obj.name} {obj.acronym}", obj.language),
            "body_terms": _body(obj, ("description",), ("description",)),
            "country": obj.country.code or "",
        }
    if isinstance(obj, Factsheet):
        names = []
        for language, _name in settings.LANGUAGES:
            with override(language):
                names.append(terms(str(obj.country.name), language))
        fields = Factsheet.translatable_fields
        return {
            "title": str(obj.country.name),
            "title_terms": f"{' '.join(names)} {obj.country.code.lower()}",
            "body_terms": _body(obj, fields, fields),
            "country": obj.country.code,
        }
    if isinstance(obj, NewsItem):
        publisher = obj.network or obj.community
        by = terms(publisher.name, publisher.language) if publisher else ""
        return {
            "title": obj.title,
            "title_terms": terms(obj.title, obj.language),
            "body_terms": _body(obj, ("summary", "body"), NewsItem.translatable_fields, by),
            # The index keeps one country per document: the first the item is about.
            "country": obj.countries[0].code if obj.countries else "",
            "tags": tags,
        }
    raise TypeError(f"{type(obj).__name__} is not searchable")


_STAND_IN = "searchurlstandin"


def _url_maker() -> UrlMaker:
    """The English URL of a record (documents keep it; other languages add their prefix).

    Each model's URL is reversed once, with a stand-in slug that each record's slug then
    replaces: reversing every URL is slow at scale (see docs/benchmarks.md)."""
    parts: dict[type[models.Model], list[str]] = {}

    def url(obj: Any) -> str:
        model = type(obj)
        if model not in parts:
            with override("en"):
                stand_in = model(slug=_STAND_IN).get_absolute_url() if hasattr(obj, "slug") else ""
            parts[model] = stand_in.split(_STAND_IN)
        if len(parts[model]) != 2:
            with override("en"):
                return str(obj.get_absolute_url())
        head, tail = parts[model]
        return f"{head}{quote(obj.slug, safe=RFC3986_SUBDELIMS + '/~:@')}{tail}"

    return url


def _searchable(obj: models.Model) -> bool:
    """Practices and news items have a document only while published."""
    return obj.is_published if isinstance(obj, Practice | NewsItem) else True


@transaction.atomic
def search_document_update(*, obj: models.Model) -> SearchDocument | None:
    """Write (or remove) the search document of one record, in the caller's transaction."""
    if not _searchable(obj):
        search_document_delete(obj=obj)
        return None
    themes, goals = [], []
    if isinstance(obj, _TAGGED):
        themes, goals = [t.pk for t in obj.themes.all()], [g.pk for g in obj.goals.all()]
    fields = _document_fields(obj, themes, goals)
    document, _created = SearchDocument.objects.update_or_create(
        kind=KINDS[type(obj)],
        object_id=obj.pk,
        defaults={
            **fields,
            "language": obj.language,
            "url": _url_maker()(obj),
            "generation": generation_next(),
        },
    )
    return document


def search_document_delete(*, obj: models.Model) -> None:
    if type(obj) in KINDS:
        documents = SearchDocument.objects.filter(kind=KINDS[type(obj)], object_id=obj.pk)
        _documents_delete(documents, generation_next())


def _documents_delete(documents: models.QuerySet[SearchDocument], generation: int) -> None:
    """Delete documents, leaving a note for the in-memory copies (see SearchDeletion)."""
    removed = list(documents.values_list("pk", flat=True))
    SearchDeletion.objects.bulk_create(
        (SearchDeletion(document_id=pk, generation=generation) for pk in removed), batch_size=5000
    )
    SearchDocument.objects.filter(pk__in=removed).delete()


def search_documents_update(*, kind: str, ids: Iterable[int]) -> None:
    """Write the documents of many records of one kind at once, for bulk imports."""
    ids, url, generation = list(ids), _url_maker(), generation_next()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        _documents_delete(SearchDocument.objects.filter(kind=kind, object_id__in=chunk), generation)
        records = list(SEARCHABLE[kind]().filter(pk__in=chunk).order_by("pk"))
        engine().documents_write(_documents_made(kind, _related(records), url, generation))


def _related(records: list[Any]) -> list[Related]:
    """Each record with the ids of its themes and the numbers of its goals (two queries).
    The records' ids travel as one parameter: Django prepares each value of a list one by
    one, which took more time than the queries themselves."""
    if not records or not isinstance(records[0], _TAGGED):
        return [(obj, (), ()) for obj in records]
    model = type(records[0])
    owner = f"{model._meta.model_name}_id"
    ids = RawSQL(*engine().ids_subquery(np.array([obj.pk for obj in records])))  # noqa: S611
    related: dict[str, dict[int, list[int]]] = {}
    for name in ("themes", "goals"):
        through = getattr(model, name).through.objects
        found = related[name] = defaultdict(list)
        rows = through.filter(**{f"{owner}__in": ids})
        for obj_id, pk in rows.values_list(owner, f"{name[:-1]}_id"):
            found[obj_id].append(pk)
    return [(obj, related["themes"][obj.pk], related["goals"][obj.pk]) for obj in records]


def _documents_made(
    kind: str, records: list[Related], url: UrlMaker, generation: int
) -> list[Fields]:
    """The documents' fields of records whose relations were read already: text analysis
    only, no database access (it runs beside the writes, see `search_rebuild`). Plain
    dictionaries: the engines write them as rows, and model instances cost more to make."""
    return [
        {
            "kind": kind,
            "object_id": obj.pk,
            "language": obj.language,
            "url": url(obj),
            "generation": generation,
            **_document_fields(obj, themes, goals),
        }
        for obj, themes, goals in records
        if _searchable(obj)
    ]


def _chunks(queryset: models.QuerySet[Any], chunk_size: int) -> Iterator[list[Any]]:
    """The records of a queryset in chunks, in id order, each read with one keyset query."""
    last = None
    while chunk := list(
        (queryset if last is None else queryset.filter(pk__gt=last)).order_by("pk")[:chunk_size]
    ):
        last = chunk[-1].pk
        yield chunk


def search_rebuild(*, progress: Progress | None = None, chunk_size: int = 2000) -> int:
    """Rebuild every search document from the records; returns how many were written.

    Records are read and documents written batch by batch, so memory stays flat at any size;
    the full-text index is built once at the end rather than row by row. The text analysis
    of one batch runs in a second thread while the batch before it is written: PostgreSQL
    inserts in its own process meanwhile (on SQLite the thread only takes turns with the
    writes). Only this thread touches the database.
    """
    written, url = 0, _url_maker()
    with (
        transaction.atomic(),
        engine().documents_replaced(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-analysis") as analysis,
    ):
        generation = generation_next()
        SearchState.objects.filter(pk=1).update(rebuilt=generation)
        SearchDeletion.objects.all().delete()
        pending = None
        for kind, queryset in SEARCHABLE.items():
            for chunk in _chunks(queryset(), chunk_size):
                made = analysis.submit(_documents_made, kind, _related(chunk), url, generation)
                if pending is not None:
                    written += _written(*pending, progress)
                pending = made, len(chunk)
        if pending is not None:
            written += _written(*pending, progress)
    return written


def _written(made: Future[list[Fields]], records: int, progress: Progress | None) -> int:
    written: int = engine().documents_write(made.result())
    if progress:
        progress(records)
    return written


def searchable_count() -> int:
    return sum(int(queryset().count()) for queryset in SEARCHABLE.values())
