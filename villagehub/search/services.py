"""Keeping search documents current; the domain services call these on every write."""

from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import override

from villagehub.communities.models import Community
from villagehub.countries.models import Factsheet
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice

from .analysis import terms
from .backends import filter_terms, index_suspended
from .counts import generation_next
from .models import SearchDocument, SearchState, SearchTag

Kind = SearchDocument.Kind


def _theme_terms(themes: Iterable, cache: dict[int, str] | None = None) -> list[str]:
    """Every label of every theme, each in its own language, so that they act as synonyms.

    Bulk writers pass a `cache` of the labels analysed so far, for the length of their run.
    """
    cache = {} if cache is None else cache
    out = []
    for theme in themes:
        if theme.pk not in cache:
            labels = [terms(theme.name, theme.language)]
            for language, fields in (theme.translations or {}).items():
                if fields.get("name"):
                    labels.append(terms(fields["name"], language))
            cache[theme.pk] = " ".join(labels)
        out.append(cache[theme.pk])
    return out


def _translations(obj, fields: Iterable[str]) -> list[str]:
    out = []
    for language, values in (obj.translations or {}).items():
        out.extend(terms(values[f], language) for f in fields if values.get(f))
    return out


def _tags(themes: list, goals: Iterable) -> list[tuple[str, int]]:
    return [(SearchTag.Facet.THEME, t.pk) for t in themes] + [
        (SearchTag.Facet.GOAL, g.pk) for g in goals
    ]


def _url(obj) -> str:
    with override("en"):
        return obj.get_absolute_url()


_STAND_IN = "searchurlstandin"


def _url_maker():
    """`_url` for many records: the URL of each model is reversed once, with a stand-in slug
    that each record's slug then replaces (reversing 400,000 URLs took seconds)."""
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


def _document_fields(obj: models.Model, theme_cache: dict | None = None) -> dict | None:
    fields = _record_fields(obj, theme_cache)
    if fields is not None:
        fields["filter_terms"] = filter_terms(
            kind=fields["kind"],
            country=fields["country"],
            size_band=fields.get("size_band", ""),
            tags=fields.get("tags", []),
        )
    return fields


def _record_fields(obj: models.Model, theme_cache: dict | None) -> dict | None:
    if isinstance(obj, Practice):
        if not obj.is_published:
            return None
        community = obj.community
        themes = list(obj.themes.all())
        body = [
            terms(obj.summary, obj.language),
            terms(obj.description, obj.language),
            terms(obj.results, obj.language),
            *_translations(obj, ("title", "summary", "description", "results")),
            *_theme_terms(themes, theme_cache),
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
            "tags": _tags(themes, obj.goals.all()),
        }
    if isinstance(obj, Community):
        themes = list(obj.themes.all())
        return {
            "kind": Kind.COMMUNITY,
            "title": obj.name,
            "title_terms": terms(obj.name, obj.language),
            "text": obj.description,
            "body_terms": " ".join(
                [
                    terms(f"{obj.region} {obj.description}", obj.language),
                    *_translations(obj, ("description",)),
                    *_theme_terms(themes, theme_cache),
                ]
            ),
            "country": obj.country.code,
            "size_band": obj.size_band or "",
            "tags": _tags(themes, obj.goals.all()),
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
    raise TypeError(f"{type(obj).__name__} is not searchable")


@transaction.atomic
def search_document_update(*, obj: models.Model) -> SearchDocument | None:
    """Write (or remove) the search document of one record, in the caller's transaction."""
    fields = _document_fields(obj)
    if fields is None:
        search_document_delete(obj=obj)
        return None
    tags = fields.pop("tags", [])
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
    document.tags.all().delete()
    SearchTag.objects.bulk_create(
        SearchTag(document=document, facet=facet, value=value) for facet, value in tags
    )
    return document


def search_documents_update(*, kind: str, ids: Iterable[int]) -> None:
    """Write the documents of many records of one kind at once, for bulk imports."""
    ids, theme_cache, url = list(ids), {}, _url_maker()
    generation = generation_next()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        SearchTag.objects.filter(document__kind=kind, document__object_id__in=chunk).delete()
        SearchDocument.objects.filter(kind=kind, object_id__in=chunk).delete()
        batch = []
        for obj in SEARCHABLE[kind]().filter(pk__in=chunk).order_by("pk"):
            fields = _document_fields(obj, theme_cache)
            if fields is None:
                continue
            fields.pop("kind")
            tags = fields.pop("tags", [])
            document = SearchDocument(
                kind=kind,
                object_id=obj.pk,
                language=obj.language,
                url=url(obj),
                generation=generation,
                **fields,
            )
            batch.append((document, tags))
        _documents_write(batch)


def search_document_delete(*, obj: models.Model) -> None:
    kind = {
        Practice: Kind.PRACTICE,
        Community: Kind.COMMUNITY,
        Organisation: Kind.ORGANISATION,
        Factsheet: Kind.FACTSHEET,
    }.get(type(obj))
    if kind:
        generation_next()
        SearchDocument.objects.filter(kind=kind, object_id=obj.pk).delete()


SEARCHABLE = {
    Kind.PRACTICE: lambda: Practice.objects.select_related("community").prefetch_related(
        "themes", "goals"
    ),
    Kind.COMMUNITY: lambda: Community.objects.prefetch_related("themes", "goals"),
    Kind.ORGANISATION: lambda: Organisation.objects.all(),
    Kind.FACTSHEET: lambda: Factsheet.objects.all(),
}


def _documents_write(batch: list[tuple[SearchDocument, list[tuple[str, int]]]]) -> int:
    documents = SearchDocument.objects.bulk_create([document for document, _tags in batch])
    SearchTag.objects.bulk_create(
        (
            SearchTag(document_id=document.pk, facet=facet, value=value)
            for document, tags in zip(documents, (tags for _d, tags in batch), strict=True)
            for facet, value in tags
        ),
        batch_size=5000,
    )
    return len(documents)


def search_rebuild(*, progress=None, chunk_size: int = 2000) -> int:
    """Rebuild every search document from the records; returns how many were written.

    Records are read and documents written batch by batch, so memory stays flat at any size;
    the full-text index is built once at the end rather than row by row.
    """
    written, theme_cache, url = 0, {}, _url_maker()
    with transaction.atomic(), index_suspended():
        generation = generation_next()
        SearchState.objects.filter(pk=1).update(rebuilt=generation)
        SearchTag.objects.all().delete()
        with connection.cursor() as cursor:
            # A plain DELETE: Django's delete() would load every document to cascade.
            cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table}")  # noqa: S608
        for kind, queryset in SEARCHABLE.items():
            batch = []
            for obj in queryset().order_by("pk").iterator(chunk_size=chunk_size):
                fields = _document_fields(obj, theme_cache)
                if progress:
                    progress(1)
                if fields is None:
                    continue
                fields.pop("kind")
                tags = fields.pop("tags", [])
                batch.append(
                    (
                        SearchDocument(
                            kind=kind,
                            object_id=obj.pk,
                            language=obj.language,
                            url=url(obj),
                            generation=generation,
                            **fields,
                        ),
                        tags,
                    )
                )
                if len(batch) >= chunk_size:
                    written += _documents_write(batch)
                    batch = []
            written += _documents_write(batch)
    return written


def searchable_count() -> int:
    return sum(queryset().count() for queryset in SEARCHABLE.values())
