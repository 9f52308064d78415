from datetime import datetime
from typing import Any

from django import forms
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from villagehub.communities.models import Community, Network
from villagehub.core.filters import CountryCaseForm, country_choices
from villagehub.countries.models import Factsheet
from villagehub.indicators.models import IndicatorValue
from villagehub.news.models import NewsItem
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.solutions.models import Solution
from villagehub.strategies.models import Need, Strategy

from .models import Dataset
from .vocabularies import DATA_THEMES, FILE_TYPES

# What each of the hub's own data sets lists; its modification time is the list's latest.
HUB_LIST_MODELS = {
    "communities": Community.objects.all(),
    "organisations": Organisation.objects.all(),
    "networks": Network.objects.all(),
    "practices": Practice.objects.filter(is_published=True),
    "countries": Factsheet.objects.all(),
    "news": NewsItem.objects.filter(published_at__isnull=False),
    "solutions": Solution.objects.filter(status=Solution.Status.PUBLISHED),
    # References carry no time of their own; their solutions' is the nearest.
    "references": Solution.objects.filter(status=Solution.Status.PUBLISHED),
    "needs": Need.objects.filter(is_published=True),
    "strategies": Strategy.objects.filter(version__gt=0),
    "indicators": IndicatorValue.objects.all(),
}


class DatasetFilterForm(CountryCaseForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[(k, v) for k, v in DATA_THEMES.items()]
    )
    country = forms.ChoiceField(label=_("Country"), required=False, choices=country_choices)
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[(k, label) for k, (label, _media) in FILE_TYPES.items()],
    )


def dataset_list(*, filters: dict[str, Any]) -> QuerySet[Dataset]:
    datasets = Dataset.objects.filter(is_published=True).select_related(
        "publisher_community", "publisher_organisation", "publisher_network"
    )
    if filters.get("q"):
        q = filters["q"]
        datasets = datasets.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(keywords__icontains=q)
        )
    if filters.get("theme"):
        datasets = datasets.filter(data_themes__icontains=f'"{filters["theme"]}"')
    if filters.get("country"):
        datasets = datasets.filter(spatial_countries__icontains=f'"{filters["country"].upper()}"')
    if filters.get("format"):
        datasets = datasets.filter(distributions__format=filters["format"]).distinct()
    return datasets.order_by("title", "pk")


def hub_list_modified() -> dict[str, datetime]:
    """The latest change of each of the hub's lists (one query per list)."""
    latest = {}
    for key, queryset in HUB_LIST_MODELS.items():
        value = queryset.order_by().aggregate(latest=Max("updated_at"))["latest"]
        if value is not None:
            latest[key] = value
    return latest


def dataset_modified(dataset: Dataset, hub_modified: dict[str, datetime]) -> datetime:
    if dataset.hub_list and dataset.hub_list in hub_modified:
        return max(dataset.updated_at, hub_modified[dataset.hub_list])
    return dataset.updated_at


def catalogue_datasets(*, modified_since: datetime | None = None) -> QuerySet[Dataset]:
    """The published data sets for the RDF catalogue, in a stable order for paging."""
    datasets = Dataset.objects.filter(is_published=True)
    if modified_since is not None:
        changed_lists = [k for k, v in hub_list_modified().items() if v >= modified_since]
        datasets = datasets.filter(
            Q(updated_at__gte=modified_since) | Q(hub_list__in=changed_lists)
        )
    return (
        datasets.select_related(
            "publisher_community", "publisher_organisation", "publisher_network"
        )
        .prefetch_related("distributions", "spatial_communities")
        .order_by("pk")
    )
