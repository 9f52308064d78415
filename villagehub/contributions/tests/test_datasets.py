"""Editors and coordinators publish data sets into the catalogue."""

import pytest

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_community_editor_publishes_a_data_set_into_the_catalogue(
    client, world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from villagehub.catalogue.models import Dataset

    settings.MEDIA_ROOT = tmp_path
    town = world["town_a"]
    form = {
        "title": "Broadband coverage 2025",
        "description": "Households with fibre, by hamlet.",
        "keywords": "broadband, fibre",
        "data_themes": ["TECH"],
        "licence": "CC_BY_4_0",
        "format": "CSV",
    }
    client.force_login(world["editor_b"])
    assert client.get(f"/contribute/communities/{town.slug}/datasets/new/").status_code == 404
    client.force_login(world["editor_a"])
    bad = client.post(
        f"/contribute/communities/{town.slug}/datasets/new/",
        {**form, "file": SimpleUploadedFile("coverage.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)},
    )
    assert bad.status_code == 400
    assert "not UTF-8 text" in bad.content.decode()
    assert not Dataset.objects.filter(publisher_community=town).exists()
    response = client.post(
        f"/contribute/communities/{town.slug}/datasets/new/",
        {**form, "file": SimpleUploadedFile("coverage.csv", b"hamlet,households\nA,12\n")},
    )
    dataset = Dataset.objects.get(publisher_community=town)
    assert response["Location"] == dataset.get_absolute_url()
    assert dataset.keywords == ["broadband", "fibre"]
    distribution = dataset.distributions.get()
    assert (distribution.byte_size, distribution.media_type) == (23, "text/csv")
    assert dataset.title in client.get("/catalog.ttl").content.decode()


def test_coordinators_publish_data_sets_of_their_network_that_validate(client, world):

    import pyshacl
    from rdflib import Graph

    from villagehub.catalogue.models import Dataset

    network = world["town_a"].networks.get()
    url = f"/contribute/networks/{network.slug}/datasets/new/"
    form = {
        "title": "Members' broadband survey",
        "description": "What the network's villages answered.",
        "keywords": "broadband",
        "data_themes": ["TECH"],
        "licence": "CC_BY_4_0",
        "format": "CSV",
        "access_url": "https://example.org/survey.csv",
    }
    # Editors, and coordinators of another network, cannot.
    client.force_login(world["editor_a"])
    assert client.get(url).status_code == 404
    other = person("coordinator_b", coordinator=world["town_b"].networks.get())
    sign_in(client, other)
    assert client.get(url).status_code == 404

    sign_in(client, world["coordinator_a"])
    page = client.get("/contribute/")
    assert url in page.content.decode()
    bad = client.post(url, {**form, "access_url": ""})
    assert bad.status_code == 400
    assert "Upload a file or give a link" in bad.content.decode()
    response = client.post(url, form)
    dataset = Dataset.objects.get(publisher_network=network)
    assert response["Location"] == dataset.get_absolute_url()
    assert dataset.spatial_countries == [world["town_a"].country.code]
    assert network.name in client.get(dataset.get_absolute_url()).content.decode()

    from villagehub.catalogue.tests.test_rdf import dcat_ap_shapes

    data = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    conforms, _report, text = pyshacl.validate(data, shacl_graph=dcat_ap_shapes())
    assert conforms, text
    assert "Members' broadband survey" in client.get("/catalog.ttl").content.decode()
