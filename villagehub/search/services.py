"""Keeping search documents current; the domain services call these on every write."""

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import quote

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import override

from villagehub.communities.models import Community
from villagehub.countries.models import Factsheet
from villagehub.news.models import NewsItem
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import Goal, Theme

from .analysis import terms
from .counts import generation_next
from .interface import engine
from .models import SearchDeletion, SearchDocument, SearchState

Kind = SearchDocument.Kind


def _translations(obj, fields: Iterable[str]) -> list[str]:
    out = []
    for language, values in (obj.translations or {}).items():
        out.extend(terms(values[f], language) for f in fields if values.get(f))
    return out


def _tags(themes: list, goals: Iterable[int]) -> str:
    return " ".join([*(f"theme{t.pk}" for t in themes), *(f"sdg{number}" for number in goals)])


def _url(obj) -> str:
    with override("en"):
        return obj.get_absolute_url()


_STAND_IN = "searchurlstandin"


def _url_maker():
    """`_url` for many records: the URL of each model is reversed once, with a stand-in slug
    that each record's slug then replaces (reversing every URL is slow at scale)."""
    parts = {}

    def url(obj) -> str:
        model = type(obj)
        if not hasattr(obj, "slug"):
            return _url(obj)
        if model not in parts:
            parts[model] = _url(model(slug=_STAND_IN)).split(_STAND_IN)
        if len(parts[model]) != 2:
            return _url(obj)
        head, tail = parts[model]
        return f"{head}{quote(obj.slug, safe=RFC3986_SUBDELIMS + '/~:@')}{tail}"

    return url


def _related(obj, related: tuple | None) -> tuple[list, list[int]]:
    if related is not None:
        return related
    return list(obj.themes.all()), [goal.pk for goal in obj.goals.all()]


def _document_fields(obj: models.Model, related: tuple | None = None) -> dict | None:
    """The document of a record; `related` (its themes and goal numbers) when already read.

    Theme labels are not part of its text: the themes are its tags, and a query word that
    names a theme finds the documents tagged with it (see synonyms).
    """
    if isinstance(obj, Practice):
        if not obj.is_published:
            return None
        community = obj.community
        themes, goals = _related(obj, related)
        texts = tuple(f for f in Practice.translatable_fields if f != "title")
        body = [
            *(terms(getattr(obj, name), obj.language) for name in texts),
            *_translations(obj, ("title", *texts)),
        ]
        if community:
            body.append(terms(f"{community.name} {community.region}", community.language))
        return {
            "kind": Kind.PRACTICE,
            "title": obj.title,
            "title_terms": terms(obj.title, obj.language),
            "text": obj.summary,
            "body_terms": " ".join(body),
            "country": community.country.code if community else "",
            "size_band": (community.size_band or "") if community else "",
            "tags": _tags(themes, goals),
        }
    if isinstance(obj, Community):
        themes, goals = _related(obj, related)
        return {
            "kind": Kind.COMMUNITY,
            "title": obj.name,
            "title_terms": terms(obj.name, obj.language),
            "text": obj.description,
            "body_terms": " ".join(
                [
                    terms(f"{obj.region} {obj.description}", obj.language),
                    *_translations(obj, ("description",)),
                ]
            ),
            "country": obj.country.code,
            "size_band": obj.size_band or "",
            "tags": _tags(themes, goals),
        }
    if isinstance(obj, Organisation):
        return {
            "kind": Kind.ORGANISATION,
            "title": obj.name,
            "title_terms": terms(f"{obj.name} {obj.acronym}", obj.language),
            "text": obj.description,
            "body_terms": " ".join(
                [terms(obj.description, obj.language), *_translations(obj, ("description",))]
            ),
            "country": obj.country.code or "",
        }
    if isinstance(obj, Factsheet):
        texts = [getattr(obj, f) for f in Factsheet.translatable_fields]
        names = []
        for language, _name in settings.LANGUAGES:
            with override(language):
                names.append(terms(str(obj.country.name), language))
        names = " ".join(names)
        return {
            "kind": Kind.FACTSHEET,
            "title": str(obj.country.name),
            "title_terms": f"{names} {obj.country.code.lower()}",
            "text": obj.definition,
            "body_terms": " ".join(
                [
                    terms(" ".join(texts), obj.language),
                    *_translations(obj, Factsheet.translatable_fields),
                ]
            ),
            "country": obj.country.code,
        }
    if isinstance(obj, NewsItem):
        if not obj.is_published:
            return None
        themes, goals = _related(obj, related)
        countries = [c.code for c in obj.countries]
        publisher = obj.network or obj.community
        body = [
            terms(obj.summary, obj.language),
            terms(obj.body, obj.language),
            *_translations(obj, NewsItem.translatable_fields),
        ]
        if publisher is not None:
            body.append(terms(publisher.name, publisher.language))
        return {
            "kind": Kind.NEWS,
            "title": obj.title,
            "title_terms": terms(obj.title, obj.language),
            "text": obj.summary,
            "body_terms": " ".join(body),
            # The index keeps one country per document: the first the item is about.
            "country": countries[0] if countries else "",
            "tags": _tags(themes, goals),
        }
    raise TypeError(f"{type(obj).__name__} is not searchable")


@transaction.atomic
def search_document_update(*, obj: models.Model) -> SearchDocument | None:
    """Write (or remove) the search document of one record, in the caller's transaction."""
    fields = _document_fields(obj)
    if fields is None:
        search_document_delete(obj=obj)
        return None
    document, _created = SearchDocument.objects.update_or_create(
        kind=fields.pop("kind"),
        object_id=obj.pk,
        defaults={
            **fields,
            "language": obj.language,
            "url": _url(obj),
            "generation": generation_next(),
        },
    )
    return document


def search_documents_update(*, kind: str, ids: Iterable[int]) -> None:
    """Write the documents of many records of one kind at once, for bulk imports."""
    ids, url, relations = list(ids), _url_maker(), _Relations()
    generation = generation_next()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        _documents_delete(SearchDocument.objects.filter(kind=kind, object_id__in=chunk), generation)
        records = list(SEARCHABLE[kind]().filter(pk__in=chunk).order_by("pk"))
        engine().documents_write(_documents_made(kind, relations.of(records), url, generation))


def _documents_delete(documents: models.QuerySet, generation: int) -> None:
    """Delete documents, leaving a note for the in-memory copies (see SearchDeletion)."""
    removed = list(documents.values_list("pk", flat=True))
    SearchDeletion.objects.bulk_create(
        (SearchDeletion(document_id=pk, generation=generation) for pk in removed), batch_size=5000
    )
    SearchDocument.objects.filter(pk__in=removed).delete()


def search_document_delete(*, obj: models.Model) -> None:
    kind = {
        Practice: Kind.PRACTICE,
        Community: Kind.COMMUNITY,
        Organisation: Kind.ORGANISATION,
        Factsheet: Kind.FACTSHEET,
        NewsItem: Kind.NEWS,
    }.get(type(obj))
    if kind:
        _documents_delete(
            SearchDocument.objects.filter(kind=kind, object_id=obj.pk), generation_next()
        )


# The records of each kind. Their themes and goals are read a whole chunk at a time, as
# plain ids (see `_Relations`), not prefetched as model instances.
SEARCHABLE = {
    Kind.PRACTICE: lambda: Practice.objects.select_related("community"),
    Kind.COMMUNITY: lambda: Community.objects.all(),
    Kind.ORGANISATION: lambda: Organisation.objects.all(),
    Kind.FACTSHEET: lambda: Factsheet.objects.all(),
    Kind.NEWS: lambda: NewsItem.objects.select_related("network", "community"),
}


class _Relations:
    """Themes (in their usual order) and goal numbers of many records, a chunk at a time."""

    def __init__(self):
        self.themes = {theme.pk: theme for theme in Theme.objects.all()}
        self.theme_order = {pk: n for n, pk in enumerate(self.themes)}
        self.goal_order = {pk: n for n, pk in enumerate(Goal.objects.values_list("pk", flat=True))}

    def of(self, objs: list) -> list[tuple]:
        if not objs or not isinstance(objs[0], Practice | Community | NewsItem):
            return [(obj, None) for obj in objs]
        model = type(objs[0])
        owner = f"{model._meta.model_name}_id"
        ids = [obj.pk for obj in objs]
        themes, goals = defaultdict(list), defaultdict(list)
        through = model.themes.through.objects.filter(**{f"{owner}__in": ids})
        for obj_id, theme_id in through.values_list(owner, "theme_id"):
            themes[obj_id].append(theme_id)
        through = model.goals.through.objects.filter(**{f"{owner}__in": ids})
        for obj_id, goal_id in through.values_list(owner, "goal_id"):
            goals[obj_id].append(goal_id)
        return [
            (
                obj,
                (
                    [self.themes[pk] for pk in sorted(themes[obj.pk], key=self.theme_order.get)],
                    sorted(goals[obj.pk], key=self.goal_order.get),
                ),
            )
            for obj in objs
        ]


def _chunks(queryset, chunk_size: int):
    """The records of a queryset in chunks, in id order, each read with one keyset query."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        chunk = list(page.order_by("pk")[:chunk_size])
        if not chunk:
            return
        last = chunk[-1].pk
        yield chunk


def _documents_made(kind: str, pairs: list, url, generation: int) -> list[SearchDocument]:
    """The documents of records whose relations were read already: text analysis only, no
    database access (it runs beside the writes, see `search_rebuild`)."""
    batch = []
    for obj, related in pairs:
        fields = _document_fields(obj, related)
        if fields is None:
            continue
        fields.pop("kind")
        batch.append(
            SearchDocument(
                kind=kind,
                object_id=obj.pk,
                language=obj.language,
                url=url(obj),
                generation=generation,
                **fields,
            )
        )
    return batch


def search_rebuild(*, progress=None, chunk_size: int = 2000) -> int:
    """Rebuild every search document from the records; returns how many were written.

    Records are read and documents written batch by batch, so memory stays flat at any size;
    the full-text index is built once at the end rather than row by row. The text analysis
    of one batch runs in a second thread while the batch before it is written: PostgreSQL
    inserts in its own process meanwhile (on SQLite the thread only takes turns with the
    writes). Only this thread touches the database.
    """
    written, url, relations = 0, _url_maker(), _Relations()
    with (
        transaction.atomic(),
        engine().index_suspended(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-analysis") as analysis,
    ):
        generation = generation_next()
        SearchState.objects.filter(pk=1).update(rebuilt=generation)
        SearchDeletion.objects.all().delete()
        with connection.cursor() as cursor:
            # A plain DELETE: Django's delete() would load every document to cascade.
            cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table}")  # noqa: S608
        pending = None
        for kind, queryset in SEARCHABLE.items():
            for chunk in _chunks(queryset(), chunk_size):
                made = analysis.submit(_documents_made, kind, relations.of(chunk), url, generation)
                if pending is not None:
                    written += _written(*pending, progress)
                pending = made, len(chunk)
        if pending is not None:
            written += _written(*pending, progress)
    return written


def _written(made: Future, records: int, progress) -> int:
    written = engine().documents_write(made.result())
    if progress:
        progress(records)
    return written


def searchable_count() -> int:
    return sum(queryset().count() for queryset in SEARCHABLE.values())
