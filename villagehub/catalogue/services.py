import datetime
import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from villagehub.communities.models import Community, Network
from villagehub.core.services import model_save, record_upsert, unique_slug
from villagehub.organisations.models import Organisation

from .models import Dataset, Distribution
from .vocabularies import FILE_TYPES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class DatasetFields(TypedDict, total=False):
    """What `dataset_create`, `dataset_update` and `dataset_upsert` may set, beside the
    distributions; a field left out keeps its value (or the model's default). Text dates are
    parsed by validation (imports)."""

    title: str
    description: str
    publisher_community: Community | None
    publisher_organisation: Organisation | None
    publisher_network: Network | None
    contact_name: str
    contact_email: str
    contact_url: str
    keywords: list[str]
    data_themes: list[str]
    spatial_countries: list[str]
    temporal_start: datetime.date | str | None
    temporal_end: datetime.date | str | None
    licence: str
    is_published: bool
    language: str
    translations: dict[str, dict[str, str]]
    source: str
    spatial_communities: Iterable[Community]


class DatasetChanges(DatasetFields, total=False):
    """What `dataset_update` may change: the fields and the slug (the back office edits it)."""

    slug: str


DISTRIBUTION_COLUMNS = ("title", "file", "access_url", "download_url", "format", "media_type")


def _file_facts(file: File[bytes]) -> dict[str, Any]:
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return {"byte_size": size, "checksum_sha256": digest.hexdigest()}


def _distributions_set(dataset: Dataset, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replace the data set's distributions by these rows, in this order."""
    kept = []
    existing: dict[int | None, Distribution] = {d.pk: d for d in dataset.distributions.all()}
    for position, row in enumerate(rows):
        fields = {k: row[k] for k in DISTRIBUTION_COLUMNS if k in row and row[k] is not None}
        fields["position"] = position
        if not fields.get("media_type") and fields.get("format") in FILE_TYPES:
            fields["media_type"] = FILE_TYPES[fields["format"]][1]
        row_id = row.get("id")
        row_id = row_id.pk if isinstance(row_id, Distribution) else row_id
        distribution = existing.get(row_id) or Distribution(dataset=dataset)
        uploaded = fields.get("file")
        if uploaded and not isinstance(uploaded, FieldFile):
            fields.update(_file_facts(uploaded))
        elif not uploaded:
            fields.update({"byte_size": row.get("byte_size"), "checksum_sha256": ""})
        kept.append(model_save(distribution, fields).pk)
    dataset.distributions.exclude(pk__in=kept).delete()


@transaction.atomic
def dataset_create(
    *,
    slug: str = "",
    distributions: Iterable[Mapping[str, Any]] | None = None,
    **fields: Unpack[DatasetFields],
) -> Dataset:
    title = fields.pop("title", "")
    dataset = model_save(
        Dataset(slug=slug or unique_slug(Dataset, title)), {"title": title, **fields}
    )
    if distributions is not None:
        _distributions_set(dataset, distributions)
    return dataset


@transaction.atomic
def dataset_update(
    *,
    dataset: Dataset,
    distributions: Iterable[Mapping[str, Any]] | None = None,
    **fields: Unpack[DatasetChanges],
) -> Dataset:
    model_save(dataset, fields)
    if distributions is not None:
        _distributions_set(dataset, distributions)
    return dataset


@transaction.atomic
def dataset_upsert(
    *,
    slug: str,
    distributions: Iterable[Mapping[str, Any]] | None = None,
    **fields: Unpack[DatasetFields],
) -> Dataset:
    return record_upsert(
        Dataset,
        slug=slug,
        create=lambda **values: dataset_create(distributions=distributions, **values),
        update=lambda dataset, values: dataset_update(
            dataset=dataset, distributions=distributions, **values
        ),
        fields=fields,
    )


# The hub's own public lists, described as data sets: (key, title, description, themes,
# whether there is a GeoJSON download).
HUB_LISTS = {
    "communities": (
        _("Communities"),
        _("Villages, towns and municipalities of the network: kind, country, region, "
          "population, location, themes, goals and networks."),
        ["REGI", "SOCI"],
        True,
    ),
    "organisations": (
        _("Organisations"),
        _("Networks, public authorities, research institutes, NGOs and solution providers "
          "working with smart villages."),
        ["GOVE", "REGI"],
        False,
    ),
    "networks": (
        _("Networks"),
        _("Networks of smart villages: EU projects, national CAP networks, regional "
          "organisations and clusters."),
        ["REGI", "GOVE"],
        False,
    ),
    "practices": (
        _("Good practices"),
        _("Good practices and initiatives of smart villages, with their themes, Agenda 2030 "
          "goals, funding, results and links."),
        ["REGI", "SOCI", "AGRI"],
        False,
    ),
    "countries": (
        _("Country factsheets"),
        _("How each country supports Smart Villages: definition, digital and social "
          "innovation, CAP support per programming period, network activities."),
        ["AGRI", "GOVE", "REGI"],
        False,
    ),
    "themes": (
        _("Themes"),
        _("The curated themes the hub's records are tagged with, in every interface language."),
        ["REGI"],
        False,
    ),
    "news": (
        _("News"),
        _("News of the networks and their communities: title, summary, text in Markdown, "
          "themes, goals, countries and related records, with their translations."),
        ["SOCI", "REGI"],
        False,
    ),
    "solutions": (
        _("Solutions"),
        _("Solutions that providers offer to villages and towns: what they do, themes, "
          "technology readiness, price, languages and countries served."),
        ["TECH", "REGI"],
        False,
    ),
    "references": (
        _("Reference installations"),
        _("Where each published solution runs: community, year and what was achieved, "
          "with a contact only when they agreed to be named."),
        ["TECH", "REGI"],
        False,
    ),
    "needs": (
        _("Needs"),
        _("Needs that villages, towns and networks state in their published strategies: "
          "themes, description, budget and timing."),
        ["REGI", "GOVE"],
        False,
    ),
    "strategies": (
        _("Village strategies"),
        _("Published Smart Village strategies, each in its latest version: vision, "
          "analysis, objectives, actions with their status, indicators and needs."),
        ["REGI", "GOVE"],
        False,
    ),
    "indicators": (
        _("Indicators of the communities"),
        _("Values the communities publish for the hub's indicators (broadband coverage, share "
          "of renewable energy, population and more), each with its period, its source and "
          "the Agenda 2030 indicator it serves."),
        ["REGI", "SOCI", "ENER"],
        False,
    ),
    "sdgs": (
        _("Agenda 2030 goals"),
        _("The 17 Sustainable Development Goals of the UN Agenda 2030, in every interface "
          "language."),
        ["INTR", "SOCI"],
        False,
    ),
}  # fmt: skip


def _in_every_language(text: "StrOrPromise") -> tuple[str, dict[str, str]]:
    versions = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            versions[code] = str(text)
    return versions[settings.LANGUAGE_CODE], versions


# Lists without an address of their own in the API (references are inside solutions;
# the indicators' distributions are the bulk downloads).
NO_API = {"references", "indicators"}


def _hub_distributions(key: str, geojson: bool) -> list[dict[str, str]]:
    api = [] if key in NO_API else [
        {"title": "API (JSON)", "access_url": f"/api/v1/{key}", "format": "JSON"}
    ]  # fmt: skip
    rows = [
        *api,
        {
            "title": "CSV",
            "access_url": f"/downloads/{key}.csv",
            "download_url": f"/downloads/{key}.csv",
            "format": "CSV",
        },
        {
            "title": "JSON",
            "access_url": f"/downloads/{key}.json",
            "download_url": f"/downloads/{key}.json",
            "format": "JSON",
        },
    ]
    if geojson:
        rows.append(
            {
                "title": "GeoJSON",
                "access_url": f"/downloads/{key}.geojson",
                "download_url": f"/downloads/{key}.geojson",
                "format": "GEOJSON",
            }
        )
    return rows


@transaction.atomic
def hub_datasets_sync() -> list[Dataset]:
    """Describe each public list of the hub as a data set; safe to run again."""
    datasets = []
    for key, (title, description, themes, geojson) in HUB_LISTS.items():
        title_en, titles = _in_every_language(title)
        description_en, descriptions = _in_every_language(description)
        fields = {
            "title": title_en,
            "description": description_en,
            "language": settings.LANGUAGE_CODE,
            "translations": {
                code: {"title": titles[code], "description": descriptions[code]}
                for code in titles
                if code != settings.LANGUAGE_CODE
            },
            "data_themes": themes,
            "keywords": ["smart villages", key],
            "licence": "CC_BY_4_0",
            "source": "Village Hub",
        }
        existing = Dataset.objects.select_for_update().filter(hub_list=key).first()
        if existing is None:
            dataset = model_save(
                Dataset(slug=unique_slug(Dataset, f"hub-{key}"), hub_list=key), fields
            )
        else:
            changed = {k: v for k, v in fields.items() if getattr(existing, k) != v}
            dataset = model_save(existing, changed) if changed else existing
        if dataset.distributions.count() != len(_hub_distributions(key, geojson)):
            _distributions_set(dataset, _hub_distributions(key, geojson))
        datasets.append(dataset)
    return datasets


def hub_datasets_sync_after_migrate(*, using: str) -> None:
    if Dataset._meta.db_table in connection.introspection.table_names():
        hub_datasets_sync()
