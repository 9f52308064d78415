"""Reading list filters from the query string: a malformed value is dropped and reported."""

from typing import Any, cast

from django import forms
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

PAGE_SIZE = 20
# The code of a filter's error when its well-formed slug names no record.
UNKNOWN_SLUG = "unknown_slug"


def country_choices() -> list[tuple[str, str]]:
    """Every country, named in the active language: a callable, so that a form builds the
    250 choices only when it shows them or checks a country, not on every request."""
    return [(c.code.lower(), c.name) for c in countries]


class CountryCaseForm(forms.Form):
    """A filter form whose `country` (a lower-case code, as `country_choices` gives) is
    accepted in either case: ?country=LV or ?country=lv."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data.get("country"):
            # A request's QueryDict (or a plain dict): both copy, and keep every value.
            data = cast(QueryDict, self.data).copy()
            data["country"] = self.data["country"].lower()
            self.data = data


class PlaceFilterForm(CountryCaseForm):
    """Filters shared by the lists of places and what happens there: text, country, theme."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    country = forms.ChoiceField(
        label=gettext_lazy("Country"), required=False, choices=country_choices
    )
    theme = forms.SlugField(label=gettext_lazy("Theme"), required=False)

    def clean_theme(self):
        from villagehub.taxonomy.models import Theme

        slug = self.cleaned_data["theme"]
        if slug and not Theme.objects.filter(slug=slug).exists():
            raise forms.ValidationError(gettext_lazy("there is no such theme."), code=UNKNOWN_SLUG)
        return slug


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
            % {"label": label, "reason": " ".join(str(e) for e in errors)}
        )
    cleaned = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [])}
    return cleaned, problems


def paginate(
    queryset, query: QueryDict, per_page: int = PAGE_SIZE, *, count: int | None = None
) -> Page:
    """One page; `count`, when given, is the list's length counted by a faster query."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not counted again
    # get_page falls back to the first or last page for any malformed or out-of-range value.
    return paginator.get_page(query.get("page"))


def querystring_without(query: QueryDict, *names: str) -> str:
    copy = query.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()
