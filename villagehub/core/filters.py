"""Reading list filters from the query string: a malformed value is dropped and reported."""

from django import forms
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.translation import gettext as _

PAGE_SIZE = 20


def filters_parse(form_class: type[forms.Form], query: QueryDict) -> tuple[dict, list[str]]:
    """Return the valid filters and one message per value that was ignored."""
    form = form_class(query)
    form.is_valid()
    problems = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field else name
        problems.append(
            _("The filter “%(label)s” was ignored: %(reason)s")
            % {"label": label, "reason": " ".join(errors)}
        )
    cleaned = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    return cleaned, problems


def paginate(queryset, query: QueryDict, per_page: int = PAGE_SIZE) -> Page:
    # get_page falls back to the first or last page for any malformed or out-of-range value.
    return Paginator(queryset, per_page).get_page(query.get("page"))


def querystring_without(query: QueryDict, *names: str) -> str:
    copy = query.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()
