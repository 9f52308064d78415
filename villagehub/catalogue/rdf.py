"""The catalogue in RDF after DCAT-AP 3.0.1, paged with Hydra, for harvesters."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from villagehub.core.text import xml_clean

from .models import Dataset, Distribution
from .selectors import dataset_modified
from .vocabularies import (
    DATA_THEMES,
    FILE_TYPES,
    country_uri,
    data_theme_uri,
    file_type_uri,
    language_uri,
    licence_uri,
    media_type_uri,
)

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = "http://data.europa.eu/r5r/"
DATA_THEME_SCHEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
NGSI_LD_STANDARD = (
    "https://www.etsi.org/deliver/etsi_gs/CIM/001_099/009/01.08.01_60/gs_CIM009v010801p.pdf"
)

FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}


def graph_new() -> Graph:
    graph = Graph()
    for prefix, namespace in [
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("hydra", HYDRA),
        ("spdx", SPDX),
        ("vcard", VCARD),
    ]:
        graph.bind(prefix, namespace)
    return graph


def _text(value, lang: str | None = None) -> Literal:
    """Text written by people, without the characters XML 1.0 forbids (which text stored
    before they were refused may hold): RDF/XML could not carry them."""
    return Literal(xml_clean(str(value)), lang=lang)


def _texts(graph: Graph, node, predicate, obj, field: str) -> None:
    """The original text and each translation, tagged with its language."""
    graph.add((node, predicate, _text(getattr(obj, field), lang=obj.language)))
    for language, fields in (obj.translations or {}).items():
        if fields.get(field):
            graph.add((node, predicate, _text(fields[field], lang=language)))


def _date_time(value: datetime) -> Literal:
    return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _agent(graph: Graph, uri: str, name: str, homepage: str = "") -> URIRef:
    agent = URIRef(uri)
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, _text(name)))
    if homepage:
        graph.add((agent, FOAF.homepage, URIRef(homepage)))
        graph.add((URIRef(homepage), RDF.type, FOAF.Document))
    return agent


def hub_agent(graph: Graph, absolute: Callable[[str], str]) -> URIRef:
    return _agent(graph, absolute("/#hub"), settings.HUB_NAME, absolute("/"))


def dataset_add(
    graph: Graph,
    dataset: Dataset,
    *,
    absolute: Callable[[str], str],
    hub_modified: dict[str, datetime],
) -> URIRef:
    node = URIRef(absolute(dataset.get_absolute_url()))
    graph.add((node, RDF.type, DCAT.Dataset))
    _texts(graph, node, DCTERMS.title, dataset, "title")
    _texts(graph, node, DCTERMS.description, dataset, "description")
    graph.add((node, DCTERMS.identifier, Literal(str(node))))
    graph.add((node, DCTERMS.issued, _date_time(dataset.created_at)))
    graph.add((node, DCTERMS.modified, _date_time(dataset_modified(dataset, hub_modified))))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, RDF.type, FOAF.Document))
    language = URIRef(language_uri(dataset.language))
    graph.add((node, DCTERMS.language, language))
    graph.add((language, RDF.type, DCTERMS.LinguisticSystem))

    publisher = dataset.publisher
    if publisher is not None:
        agent = _agent(
            graph,
            absolute(publisher.get_absolute_url()),
            publisher.name,
            publisher.website,
        )
    else:
        agent = hub_agent(graph, absolute)
    graph.add((node, DCTERMS.publisher, agent))

    if dataset.contact_name or dataset.contact_email or dataset.contact_url:
        contact = BNode()
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((contact, RDF.type, VCARD.Kind))
        graph.add((contact, VCARD.fn, _text(dataset.contact_name or publisher or "")))
        if dataset.contact_email:
            graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
        if dataset.contact_url:
            graph.add((contact, VCARD.hasURL, URIRef(dataset.contact_url)))

    for keyword in dataset.keywords:
        graph.add((node, DCAT.keyword, _text(keyword, lang=dataset.language)))
    for code in dataset.data_themes:
        theme = URIRef(data_theme_uri(code))
        graph.add((node, DCAT.theme, theme))
        graph.add((theme, RDF.type, SKOS.Concept))
        graph.add((theme, SKOS.inScheme, DATA_THEME_SCHEME))
        graph.add((theme, SKOS.prefLabel, Literal(str(DATA_THEMES[code]), lang="en")))
    graph.add((DATA_THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
    graph.add((DATA_THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))

    for code in dataset.spatial_countries:
        place = URIRef(country_uri(code))
        graph.add((node, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
    for community in dataset.spatial_communities.all():
        place = URIRef(absolute(community.get_absolute_url()))
        graph.add((node, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, SKOS.prefLabel, _text(community.name)))

    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))

    for distribution in dataset.distributions.all():
        graph.add(
            (node, DCAT.distribution, distribution_add(graph, distribution, dataset, absolute))
        )
    return node


def distribution_add(
    graph: Graph, distribution: Distribution, dataset: Dataset, absolute: Callable[[str], str]
) -> URIRef:
    node = URIRef(absolute(f"{dataset.get_absolute_url()}#distribution-{distribution.pk}"))
    graph.add((node, RDF.type, DCAT.Distribution))
    _texts(graph, node, DCTERMS.title, distribution, "title")
    if distribution.file:
        file_url = absolute(distribution.file.url)
        access, download = file_url, file_url
    else:
        access = absolute(distribution.access_url or distribution.download_url)
        download = absolute(distribution.download_url) if distribution.download_url else ""
    graph.add((node, DCAT.accessURL, URIRef(access)))
    if download:
        graph.add((node, DCAT.downloadURL, URIRef(download)))
    file_type = URIRef(file_type_uri(distribution.format))
    graph.add((node, DCTERMS.format, file_type))
    graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    media = distribution.media_type or FILE_TYPES.get(distribution.format, ("", ""))[1]
    if media:
        media_node = URIRef(media_type_uri(media))
        graph.add((node, DCAT.mediaType, media_node))
        graph.add((media_node, RDF.type, DCTERMS.MediaType))
    licence = URIRef(licence_uri(dataset.licence))
    graph.add((node, DCTERMS.license, licence))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((node, DCTERMS.modified, _date_time(distribution.updated_at)))
    if distribution.byte_size is not None:
        graph.add(
            (node, DCAT.byteSize, Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger))
        )
    if distribution.checksum_sha256:
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add(
            (
                checksum,
                SPDX.checksumValue,
                Literal(distribution.checksum_sha256, datatype=XSD.hexBinary),
            )
        )
    return node


def ngsi_service_add(graph: Graph, *, absolute: Callable[[str], str]) -> URIRef:
    """The NGSI-LD API (MIM1) as a data service: where it answers and the standard it keeps."""
    node = URIRef(absolute("/catalog#ngsi-ld"))
    graph.add((node, RDF.type, DCAT.DataService))
    graph.add((node, DCTERMS.title, Literal("NGSI-LD API", lang="en")))
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal(
                f"Context information of {settings.HUB_NAME} and its communities through the "
                "ETSI NGSI-LD API (ETSI GS CIM 009) with Smart Data Models: the hub's records, "
                "the communities' indicators (KeyPerformanceIndicator) and the entities they "
                "publish. Reading needs no account; writing needs a personal API token.",
                lang="en",
            ),
        )
    )
    graph.add((node, DCAT.endpointURL, URIRef(absolute("/ngsi-ld/v1/"))))
    standard = URIRef(NGSI_LD_STANDARD)
    graph.add((node, DCTERMS.conformsTo, standard))
    graph.add((standard, RDF.type, DCTERMS.Standard))
    graph.add((node, DCTERMS.publisher, hub_agent(graph, absolute)))
    licence = URIRef(licence_uri("CC_BY_4_0"))
    graph.add((node, DCTERMS.license, licence))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    return node


def catalogue_graph(
    datasets: Iterable[Dataset],
    *,
    absolute: Callable[[str], str],
    hub_modified: dict[str, datetime],
    page_url: Callable[[int], str],
    page: int,
    pages: int,
    total: int,
    modified: datetime | None,
) -> Graph:
    """One page of the catalogue: the catalogue itself, its data sets, and the Hydra view."""
    graph = graph_new()
    catalogue = URIRef(absolute("/catalog"))
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(settings.HUB_NAME, lang="en")))
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            Literal(
                f"Open data of {settings.HUB_NAME}: the data sets of the network and its "
                "communities, and the hub's own lists.",
                lang="en",
            ),
        )
    )
    graph.add((catalogue, DCTERMS.publisher, hub_agent(graph, absolute)))
    graph.add((catalogue, FOAF.homepage, URIRef(absolute("/catalogue/"))))
    graph.add((URIRef(absolute("/catalogue/")), RDF.type, FOAF.Document))
    graph.add((catalogue, DCTERMS.conformsTo, URIRef(DCATAP)))
    graph.add((URIRef(DCATAP), RDF.type, DCTERMS.Standard))
    if modified is not None:
        graph.add((catalogue, DCTERMS.modified, _date_time(modified)))
    for dataset in datasets:
        node = dataset_add(graph, dataset, absolute=absolute, hub_modified=hub_modified)
        graph.add((catalogue, DCAT.dataset, node))
    graph.add((catalogue, DCAT.service, ngsi_service_add(graph, absolute=absolute)))

    view = URIRef(page_url(page))
    graph.add((catalogue, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    graph.add((view, HYDRA.first, URIRef(page_url(1))))
    graph.add((view, HYDRA.last, URIRef(page_url(pages))))
    if page > 1:
        graph.add((view, HYDRA.previous, URIRef(page_url(page - 1))))
    if page < pages:
        graph.add((view, HYDRA.next, URIRef(page_url(page + 1))))
    return graph


def dataset_graph(
    dataset: Dataset, *, absolute: Callable[[str], str], hub_modified: dict[str, datetime]
) -> Graph:
    graph = graph_new()
    node = dataset_add(graph, dataset, absolute=absolute, hub_modified=hub_modified)
    catalogue = URIRef(absolute("/catalog"))
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCAT.dataset, node))
    graph.add((catalogue, DCTERMS.title, Literal(settings.HUB_NAME, lang="en")))
    graph.add((catalogue, DCTERMS.description, Literal(settings.HUB_NAME, lang="en")))
    graph.add((catalogue, DCTERMS.publisher, hub_agent(graph, absolute)))
    return graph
