"""Query parameters checked by the same filter forms as the pages."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema

from villagehub.core.versions import (  # noqa: F401 - shared with the routers
    record_version,
    tables_version,
)
from villagehub.search.interface import SearchQuery, search_record_ids

from .problems import NAMES_NOTHING, invalid_parameters
from .schemas import PAGE_PARAMETERS


def filters_read(
    request: HttpRequest, query: Schema, form_class: type[forms.Form] | None = None
) -> dict[str, Any]:
    """The query's filters, checked by the page's filter form; anything else is a 400."""
    known = set(type(query).model_fields)
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise invalid_parameters((name[:50], "unknown query parameter") for name in unknown)
    values = {
        k: v for k, v in query.dict().items() if k not in PAGE_PARAMETERS and v not in (None, "")
    }
    if form_class is None or not values:
        return values  # nothing to check: a form costs a third of a 304
    form = form_class(values)
    if form.is_valid():
        return {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    # A value the schema allows that names nothing (`theme=no-such-theme`, `country=AA`) is
    # a filter that matches nothing; the lists filter by the value itself.
    names_nothing = {
        name: values[name]
        for name, errors in form.errors.as_data().items()
        if name in values and all(error.code in NAMES_NOTHING for error in errors)
    }
    problems = [
        (n, " ".join(str(m) for m in e)) for n, e in form.errors.items() if n not in names_nothing
    ]
    if problems:
        raise invalid_parameters(problems)
    cleaned = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    return {**cleaned, **names_nothing}


def text_filter(queryset: QuerySet[Any], *, query: str | None, kind: str) -> QuerySet[Any]:
    """Keep the records that match the full-text query (the engine behind /search/)."""
    if not query:
        return queryset
    return queryset.filter(pk__in=search_record_ids(SearchQuery(text=query, kind=kind)))
