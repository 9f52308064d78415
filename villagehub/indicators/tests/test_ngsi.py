"""KeyPerformanceIndicator entities through NGSI-LD: writes land in the indicator values,
the entity is their read-only view."""

from datetime import date
from decimal import Decimal

import pytest

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.indicators.models import IndicatorValue
from villagehub.ngsi.tests.conftest import Api, editor_of

pytestmark = pytest.mark.django_db

KPI = "urn:ngsi-ld:KeyPerformanceIndicator:torup-renewable-energy-share"
SDM = "https://smart-data-models.github.io/dataModel.KeyPerformanceIndicator/context.jsonld"
LINK = f'<{SDM}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
FORBIDDEN = "urn:villagehub:ngsi-ld:errors:Forbidden"
BAD = "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


def kpi(value=42.5, start="2024-01-01", end="2024-12-31", entity_id=KPI, **extra):
    return {
        "id": entity_id,
        "type": "KeyPerformanceIndicator",
        "kpiValue": {"type": "Property", "value": value},
        "calculationPeriod": {"type": "Property", "value": {"from": start, "to": end}},
        "source": {"type": "Property", "value": "https://energy.example.org/2024"},
        **extra,
    }


@pytest.fixture
def town(db):
    return CommunityFactory(slug="torup", name="Torup")


@pytest.fixture
def api(client, town):
    return Api(client, editor_of("editor", town)[1])


def test_a_created_kpi_is_published_as_an_indicator_value(api):
    response = api.post("/entities", kpi(), headers={"Link": LINK})
    assert response.status_code == 201, response.content
    row = IndicatorValue.objects.get()
    assert (row.community.slug, row.indicator, row.value, row.channel) == (
        "torup",
        "renewable-energy-share",
        Decimal("42.5"),
        "ngsi-ld",
    )
    assert (row.period_start, row.period_end) == (date(2024, 1, 1), date(2024, 12, 31))
    entity = api.get("/entities/" + KPI, headers={"Link": LINK}).json()
    assert entity["kpiValue"][0]["value"] == 42.5
    # refCommunity is a term of the hub's context, not of the Smart Data Model's.
    assert entity["urn:villagehub:vocab:refCommunity"]["object"] == "urn:ngsi-ld:Community:torup"


def test_upsert_adds_periods_to_the_series(api):
    api.post("/entities", kpi(), headers={"Link": LINK})
    response = api.post(
        "/entityOperations/upsert", [kpi(38, "2023-01-01", "2023-12-31")], headers={"Link": LINK}
    )
    assert response.status_code == 204, response.content
    assert list(IndicatorValue.objects.order_by("period_end").values_list("value", flat=True)) == [
        Decimal(38),
        Decimal("42.5"),
    ]
    entity = api.get("/entities/" + KPI, headers={"Link": LINK}, options="keyValues").json()
    assert entity["calculationPeriod"] == {"from": "2024-01-01", "to": "2024-12-31"}


def test_the_entity_read_back_writes_the_same_series(api, client):
    api.post("/entities", kpi(), headers={"Link": LINK})
    api.post(
        "/entityOperations/upsert", [kpi(38, "2023-01-01", "2023-12-31")], headers={"Link": LINK}
    )
    read = api.get("/entities/" + KPI, headers={"Link": LINK}).json()
    body = {key: value for key, value in read.items() if key != "@context"}
    IndicatorValue.objects.all().delete()
    response = api.post("/entityOperations/upsert", [body], headers={"Link": LINK})
    assert response.status_code in (201, 204), response.content
    assert sorted(IndicatorValue.objects.values_list("period_start", "value")) == [
        (date(2023, 1, 1), Decimal(38)),
        (date(2024, 1, 1), Decimal("42.5")),
    ]


def test_the_core_context_alone_works_too(api):
    assert api.post("/entities", kpi()).status_code == 201
    assert IndicatorValue.objects.count() == 1


def test_an_editor_of_another_community_cannot_publish_through_ngsi_ld(client, town):
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    other = Api(client, key)
    response = other.post("/entities", kpi(), headers={"Link": LINK})
    assert response.status_code == 403
    assert response.json()["type"] == FORBIDDEN
    batch = other.post("/entityOperations/upsert", [kpi()], headers={"Link": LINK})
    assert batch.status_code == 207
    assert batch.json()["errors"][0]["error"]["type"] == FORBIDDEN
    assert not IndicatorValue.objects.exists()


def test_the_view_cannot_be_changed_or_deleted_directly(api):
    api.post("/entities", kpi(), headers={"Link": LINK})
    assert api.patch(f"/entities/{KPI}/attrs", {"source": "x"}).status_code == 403
    assert api.delete(f"/entities/{KPI}").status_code == 403
    assert IndicatorValue.objects.count() == 1


def test_creating_an_existing_kpi_is_409(api):
    api.post("/entities", kpi(), headers={"Link": LINK})
    assert api.post("/entities", kpi(50), headers={"Link": LINK}).status_code == 409


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        (
            kpi(entity_id="urn:ngsi-ld:KeyPerformanceIndicator:nowhere-population"),
            "id: there is no community",
        ),
        (kpi(value="high"), "kpiValue: the value must be a number"),
        (kpi(value=150), "kpiValue: The value must be between 0 and 100."),
        (kpi(start="2024-12-31", end="2024-01-01"), "calculationPeriod"),
        (kpi(start="last year"), "calculationPeriod"),
        ({**kpi(), "source": {"type": "Property", "value": " "}}, "source:"),
        (
            {
                **kpi(),
                "refCommunity": {"type": "Relationship", "object": "urn:ngsi-ld:Community:other"},
            },
            "refCommunity",
        ),
    ],
)
def test_bad_kpis_are_400_naming_the_attribute(api, document, detail):
    CommunityFactory(slug="other")
    response = api.post("/entities", document, headers={"Link": LINK})
    assert response.status_code == 400, response.content
    assert response.json()["type"] == BAD
    assert detail in response.json()["detail"]
    assert not IndicatorValue.objects.exists()


def test_a_kpi_naming_no_curated_indicator_is_a_plain_entity(api):
    own = kpi(entity_id="urn:ngsi-ld:KeyPerformanceIndicator:torup-containers-faults")
    response = api.post("/entities", own, headers={"Link": LINK})
    assert response.status_code == 201, response.content
    assert not IndicatorValue.objects.exists()
    patched = api.patch(f"/entities/{own['id']}/attrs", {"source": "x"}, headers={"Link": LINK})
    assert patched.status_code == 204


def test_kpis_of_another_tenant_are_plain_entities(api):
    response = api.post("/entities", kpi(), headers={"Link": LINK, "NGSILD-Tenant": "lab"})
    assert response.status_code == 201
    assert not IndicatorValue.objects.exists()
