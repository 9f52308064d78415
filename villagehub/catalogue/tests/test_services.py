import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from villagehub.catalogue.models import Dataset
from villagehub.catalogue.services import (
    HUB_LISTS,
    dataset_create,
    dataset_update,
    hub_datasets_sync,
)
from villagehub.communities.tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def test_dataset_create_keeps_an_uploaded_file_with_its_size_and_checksum(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = b"year,households_with_fibre\n2024,212\n"
    community = CommunityFactory(slug="raudanmaa")

    dataset = dataset_create(
        title="Broadband coverage",
        description="Households with a fibre connection, per year.",
        publisher_community=community,
        data_themes=["TECH", "REGI"],
        spatial_countries=["FI"],
        distributions=[
            {
                "title": "Coverage (CSV)",
                "file": SimpleUploadedFile("coverage.csv", content),
                "format": "CSV",
            }
        ],
    )

    distribution = dataset.distributions.get()
    assert dataset.slug == "broadband-coverage"
    assert distribution.byte_size == len(content)
    assert distribution.checksum_sha256 == hashlib.sha256(content).hexdigest()
    assert distribution.media_type == "text/csv"
    assert distribution.file.read() == content


def test_dataset_update_replaces_the_distributions_in_order():
    dataset = dataset_create(
        title="Population",
        description="Inhabitants per year.",
        distributions=[
            {"title": "Old", "download_url": "https://example.org/a.csv", "format": "CSV"}
        ],
    )

    dataset_update(
        dataset=dataset,
        distributions=[
            {"title": "API", "access_url": "https://example.org/api", "format": "JSON"},
            {"title": "Sheet", "download_url": "https://example.org/b.ods", "format": "ODS"},
        ],
    )

    assert list(dataset.distributions.values_list("title", "position")) == [
        ("API", 0),
        ("Sheet", 1),
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"data_themes": ["VILLAGES"]}, "data_themes"),
        ({"spatial_countries": ["XX"]}, "spatial_countries"),
        ({"keywords": "fibre"}, "keywords"),
        ({"licence": "WTFPL"}, "licence"),
    ],
)
def test_dataset_create_refuses_values_outside_the_vocabularies(fields, field):
    with pytest.raises(ValidationError) as error:
        dataset_create(title="Bad", description="Bad.", **fields)
    assert field in error.value.message_dict


def test_a_distribution_needs_a_file_or_an_address():
    with pytest.raises(ValidationError):
        dataset_create(
            title="Empty",
            description="No data.",
            distributions=[{"title": "Nothing", "format": "CSV"}],
        )
    assert not Dataset.objects.filter(title="Empty").exists()


def test_hub_datasets_describe_every_public_list_once_however_often_synced():
    hub_datasets_sync()
    hub_datasets_sync()

    datasets = Dataset.objects.exclude(hub_list="")
    assert sorted(datasets.values_list("hub_list", flat=True)) == sorted(HUB_LISTS)
    communities = datasets.get(hub_list="communities")
    assert [d.format for d in communities.distributions.all()] == ["JSON", "CSV", "JSON", "GEOJSON"]
    assert (
        communities.distributions.get(format="GEOJSON").download_url
        == "/downloads/communities.geojson"
    )
    assert communities.translations["sv"]["title"] == "Lokalsamhällen"
