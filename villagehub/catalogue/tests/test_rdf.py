"""The catalogue as a harvester reads it: DCAT-AP 3.0.1, valid against the official shapes."""

import datetime
import time
from pathlib import Path

import pyshacl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rdflib import Graph, Literal, URIRef, namespace

from villagehub.catalogue import views
from villagehub.catalogue.rdf import HYDRA
from villagehub.catalogue.services import dataset_create, dataset_update
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.organisations.models import Organisation

SHAPES = Path(__file__).parent / "shapes" / "dcat-ap-3.0.1-SHACL.ttl"

pytestmark = pytest.mark.django_db


def dcat_ap_shapes() -> Graph:
    """The official shapes, less two links to property shapes that the 3.0.1 file names
    under dcat:DataServiceShape but never defines: pyshacl refuses a shapes graph with such
    a dangling link as soon as the data holds a dcat:DataService."""
    graph = Graph().parse(SHAPES)
    sh = namespace.SH
    for shape, _p, member in list(graph.triples((None, sh.property, None))):
        if (member, None, None) not in graph:
            graph.remove((shape, sh.property, member))
    return graph


@pytest.fixture(scope="module")
def shapes():
    return dcat_ap_shapes()


@pytest.fixture
def published(settings, tmp_path):
    """A data set with every property the hub describes, next to the hub's own."""
    settings.MEDIA_ROOT = tmp_path
    community = CommunityFactory(slug="raudanmaa", name="Raudanmaa", country="FI")
    return dataset_create(
        title="Broadband coverage",
        description="Households with a fibre connection, per year.",
        language="en",
        translations={"fi": {"title": "Laajakaistan kattavuus", "description": "Kotitaloudet."}},
        publisher_community=community,
        contact_name="Village cooperative",
        contact_email="coop@example.org",
        keywords=["fibre", "broadband"],
        data_themes=["TECH", "REGI"],
        spatial_countries=["FI"],
        spatial_communities=[community],
        temporal_start=datetime.date(2015, 1, 1),
        temporal_end=datetime.date(2024, 12, 31),
        licence="CC0",
        distributions=[
            {
                "title": "Coverage (CSV)",
                "file": SimpleUploadedFile("coverage.csv", b"year,households\n2024,212\n"),
                "format": "CSV",
            },
            {"title": "Dashboard", "access_url": "https://example.org/coverage", "format": "HTML"},
        ],
    )


def parse(response, format_):
    assert response.status_code == 200, response.content[:500]
    return Graph().parse(data=response.content, format=format_)


def test_catalogue_conforms_to_the_dcat_ap_shapes(client, published, shapes):
    data = parse(client.get("/catalog.ttl"), "turtle")

    conforms, _report, text = pyshacl.validate(data, shacl_graph=shapes)

    assert conforms, text


def test_the_shapes_catch_a_dataset_without_title(client, published, shapes):
    data = parse(client.get("/catalog.ttl"), "turtle")
    node = URIRef("http://testserver/catalogue/broadband-coverage/")
    data.remove((node, namespace.DCTERMS.title, None))

    conforms, _report, text = pyshacl.validate(data, shacl_graph=shapes)

    assert not conforms
    assert "title" in text


@pytest.mark.parametrize(
    ("path", "format_"), [("/catalog.rdf", "xml"), ("/catalog.jsonld", "json-ld")]
)
def test_every_serialisation_carries_the_same_graph(client, published, path, format_):
    turtle = parse(client.get("/catalog.ttl"), "turtle")
    other = parse(client.get(path), format_)

    assert len(other) == len(turtle)
    assert set(other.subjects(namespace.RDF.type, namespace.DCAT.Dataset)) == set(
        turtle.subjects(namespace.RDF.type, namespace.DCAT.Dataset)
    )


def test_harvest_round_trip_finds_every_dataset_across_pages(client, published, monkeypatch):
    monkeypatch.setattr(views, "RDF_PAGE_SIZE", 3)
    for n in range(4):
        dataset_create(title=f"Sensor export {n}", description="Readings.")
    expected = {
        f"http://testserver/catalogue/{slug}/"
        for slug in published._meta.model.objects.values_list("slug", flat=True)
    }

    found, url, pages = set(), "/catalog.ttl", 0
    while url:
        graph = parse(client.get(url), "turtle")
        found |= {
            str(s)
            for s in graph.objects(URIRef("http://testserver/catalog"), namespace.DCAT.dataset)
        }
        view = next(graph.subjects(namespace.RDF.type, HYDRA.PartialCollectionView))
        total = graph.value(view, HYDRA.totalItems)
        next_page = graph.value(view, HYDRA.next)
        url, pages = (str(next_page) if next_page else None), pages + 1

    assert found == expected
    assert int(total) == len(expected)
    assert pages == -(-len(expected) // 3)


def test_modified_since_lists_only_what_changed(client, published):
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(milliseconds=50)
    graph = parse(client.get("/catalog.ttl", {"modified_since": later.isoformat()}), "turtle")
    assert list(graph.subjects(namespace.RDF.type, namespace.DCAT.Dataset)) == []

    time.sleep(0.1)
    dataset_update(dataset=published, keywords=["fibre"])
    graph = parse(
        client.get("/catalog.ttl", {"modified_since": later.date().isoformat()}), "turtle"
    )
    assert URIRef("http://testserver/catalogue/broadband-coverage/") in set(
        graph.subjects(namespace.RDF.type, namespace.DCAT.Dataset)
    )


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=%C2%B2", "page"),
        ("page=" + "9" * 5000, "page"),
        ("modified_since=yesterday", "modified_since"),
        ("modified_since=9999-99-99", "modified_since"),
        ("modified_since=2026-02-30", "modified_since"),
        ("modified_since=2026-00-01", "modified_since"),
        ("modified_since=2026-01-01T25:00", "modified_since"),
        ("modified_since=2026-01-01T10:00%2B99:00", "modified_since"),
        ("modified_since=0001-01-01T00:00%2B05:00", "modified_since"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(client, query, named):
    response = client.get(f"/catalog.ttl?{query}")
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{named} must be")


def test_modified_since_takes_the_last_day_there_is(client, published):
    response = client.get("/catalog.ttl?modified_since=9999-12-31T23:59:59%2B00:00")
    assert response.status_code == 200
    graph = parse(response, "turtle")
    assert list(graph.subjects(namespace.RDF.type, namespace.DCAT.Dataset)) == []


def test_dataset_description_uses_the_eu_vocabularies(client, published):
    graph = parse(client.get("/catalogue/broadband-coverage.ttl"), "turtle")
    node = URIRef("http://testserver/catalogue/broadband-coverage/")
    authority = "http://publications.europa.eu/resource/authority"

    assert URIRef(f"{authority}/country/FIN") in set(graph.objects(node, namespace.DCTERMS.spatial))
    assert set(graph.objects(node, namespace.DCAT.theme)) == {
        URIRef(f"{authority}/data-theme/TECH"),
        URIRef(f"{authority}/data-theme/REGI"),
    }
    assert Literal("Laajakaistan kattavuus", lang="fi") in set(
        graph.objects(node, namespace.DCTERMS.title)
    )
    licences = {
        graph.value(d, namespace.DCTERMS.license)
        for d in graph.objects(node, namespace.DCAT.distribution)
    }
    assert licences == {URIRef(f"{authority}/licence/CC0")}
    formats = {
        graph.value(d, namespace.DCTERMS.format)
        for d in graph.objects(node, namespace.DCAT.distribution)
    }
    assert formats == {URIRef(f"{authority}/file-type/CSV"), URIRef(f"{authority}/file-type/HTML")}


def test_dataset_page_negotiates_rdf(client, published):
    html = client.get("/catalogue/broadband-coverage/")
    turtle = client.get("/catalogue/broadband-coverage/", HTTP_ACCEPT="text/turtle")
    jsonld = client.get("/catalogue/broadband-coverage/", HTTP_ACCEPT="application/ld+json")

    assert html["Content-Type"].startswith("text/html")
    assert turtle["Content-Type"] == "text/turtle"
    assert jsonld["Content-Type"] == "application/ld+json"
    assert client.get("/catalog", HTTP_ACCEPT="application/rdf+xml")["Content-Type"] == (
        "application/rdf+xml"
    )


def test_publisher_organisation_is_an_agent(client, shapes):
    organisation = Organisation.objects.create(
        slug="lcn", name="Latvian CAP Network", kind="network_operator"
    )
    dataset_create(
        title="Network members",
        description="Members of the network.",
        publisher_organisation=organisation,
        distributions=[
            {"title": "CSV", "download_url": "https://example.org/m.csv", "format": "CSV"}
        ],
    )
    graph = parse(client.get("/catalogue/network-members.ttl"), "turtle")

    conforms, _report, text = pyshacl.validate(graph, shacl_graph=shapes)

    assert conforms, text
    assert (
        graph.value(URIRef("http://testserver/organisations/lcn/"), namespace.RDF.type) is not None
    )


def test_the_ngsi_ld_api_is_a_data_service_of_the_catalogue(client, published, shapes):
    data = parse(client.get("/catalog.ttl"), "turtle")
    service = URIRef("http://testserver/catalog#ngsi-ld")
    catalogue = URIRef("http://testserver/catalog")
    dcat, dct = namespace.DCAT, namespace.DCTERMS
    assert (catalogue, dcat.service, service) in data
    assert (service, namespace.RDF.type, dcat.DataService) in data
    assert (service, dcat.endpointURL, URIRef("http://testserver/ngsi-ld/v1/")) in data
    assert "CIM009" in str(data.value(service, dct.conformsTo))
    conforms, _report, text = pyshacl.validate(data, shacl_graph=shapes)
    assert conforms, text


def test_the_indicators_are_a_hub_data_set_with_the_bulk_downloads(client, published):
    data = parse(client.get("/catalog.ttl", {"page": 1}), "turtle")
    dcat = namespace.DCAT
    urls = {str(o) for o in data.objects(None, dcat.downloadURL)}
    assert "http://testserver/downloads/indicators.csv" in urls
    assert "http://testserver/downloads/indicators.json" in urls
    access = {str(o) for o in data.objects(None, dcat.accessURL)}
    assert "http://testserver/api/v1/indicators" not in access
