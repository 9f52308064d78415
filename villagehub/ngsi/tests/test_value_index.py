"""`type` + `q` queries decided in SQL by the value index give exactly what the query
language gives when it reads every entity (`query.q_match`)."""

import pytest

from villagehub.ngsi import selectors
from villagehub.ngsi.models import Entity, EntityValue
from villagehub.ngsi.query import names_match, names_parse, q_lookups, q_match, q_parse

pytestmark = pytest.mark.django_db


def _entity(n, kind, **attrs):
    return {"id": f"urn:ngsi-ld:{kind}:{n}", "type": kind, **attrs}


VALUES = [
    12,
    25.5,
    -3,
    True,
    "ok",
    "broken",
    "12",
    "2026-01-01T10:00:00Z",
    [10, 30],
    {"city": "Torup"},
    None,
    "x" * 250,
    0,
]


@pytest.fixture
def many(api):
    bodies = []
    for n, value in enumerate(VALUES):
        attrs = {}
        if value is not None:
            attrs["temperature"] = {"type": "Property", "value": value}
        if n % 3 == 0:
            attrs["temperature"] = (
                [
                    {"type": "Property", "value": value, "datasetId": "urn:ngsi-ld:Dataset:a"},
                    {"type": "Property", "value": 40, "datasetId": "urn:ngsi-ld:Dataset:b"},
                ]
                if value is not None
                else {"type": "Property", "value": 40}
            )
        if n % 4 == 0:
            attrs["label"] = {"type": "LanguageProperty", "languageMap": {"en": "ok", "lv": "labi"}}
        attrs["owner"] = {"type": "Relationship", "object": f"urn:ngsi-ld:Owner:{n % 2}"}
        bodies.append(_entity(n, "Sensor" if n % 2 else "Meter", **attrs))
    response = api.post("/entityOperations/create", bodies)
    assert response.status_code == 201, response.content
    return bodies


QUERIES = [
    "temperature>10",
    "temperature>=12",
    "temperature<0",
    "temperature<=12;temperature>=12",
    "temperature==12",
    "temperature==25.5",
    "temperature==10..26",
    "temperature==-5..0",
    'temperature=="ok"',
    'temperature=="12"',
    "temperature==40",
    'label=="labi"',
    'owner=="urn:ngsi-ld:Owner:1"',
    "temperature>100",
    "temperature>10;owner==%22urn:ngsi-ld:Owner:0%22".replace("%22", '"'),
]
TYPES = [None, "Sensor", "Meter", "Sensor,Meter"]


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("types", TYPES)
def test_sql_decides_exactly_as_the_query_language(many, q, types):
    tree = q_parse(q)
    _lookups, decided = q_lookups(tree)
    assert decided, q
    type_tree = names_parse(types, "type") if types else None
    expected = [
        entity.entity_id
        for entity in Entity.objects.order_by("pk")
        if (type_tree is None or names_match(type_tree, set(entity.types)))
        and q_match(tree, {"attrs": entity.attrs})
    ]
    rows, total = selectors.entity_query(
        tenant="", query=selectors.EntityQuery(types=type_tree, q=tree, limit=100)
    )
    assert [row.entity_id for row in rows] == expected
    assert total == len(expected)


def test_a_page_and_the_count_come_from_sql(many):
    tree = q_parse("temperature==40")
    rows, total = selectors.entity_query(
        tenant="", query=selectors.EntityQuery(q=tree, limit=2, offset=1)
    )
    everything = [
        entity.entity_id
        for entity in Entity.objects.order_by("pk")
        if q_match(tree, {"attrs": entity.attrs})
    ]
    assert total == len(everything) > 3
    assert [row.entity_id for row in rows] == everything[1:3]


@pytest.mark.parametrize(
    "q",
    [
        "temperature!=12",
        "temperature~=o.",
        "temperature",
        "temperature[city]==%22Torup%22",
        'temperature=="2026-01-01T10:00:00Z"',
        "temperature>10|temperature<0",
    ],
)
def test_what_sql_cannot_decide_is_left_to_the_query_language(q):
    assert q_lookups(q_parse(q.replace("%22", '"')))[1] is False


def test_the_index_follows_changes_and_deletion(api, many):
    response = api.patch(
        "/entities/urn:ngsi-ld:Meter:2/attrs", {"temperature": {"type": "Property", "value": 77}}
    )
    assert response.status_code == 204, response.content
    found, total = selectors.entity_query(
        tenant="", query=selectors.EntityQuery(q=q_parse("temperature==77"))
    )
    assert [row.entity_id for row in found] == ["urn:ngsi-ld:Meter:2"] and total == 1
    assert api.delete("/entities/urn:ngsi-ld:Meter:2").status_code == 204
    assert not EntityValue.objects.filter(number=77).exists()


@pytest.mark.parametrize(("offset", "limit"), [(0, 0), (100, 5), (0, 100)])
def test_the_count_comes_with_an_empty_or_a_whole_page(many, offset, limit):
    tree = q_parse("temperature==40")
    rows, total = selectors.entity_query(
        tenant="", query=selectors.EntityQuery(q=tree, limit=limit, offset=offset)
    )
    everything = [
        entity.entity_id
        for entity in Entity.objects.order_by("pk")
        if q_match(tree, {"attrs": entity.attrs})
    ]
    assert total == len(everything) > 3
    assert [row.entity_id for row in rows] == everything[offset : offset + limit]


def test_no_match_counts_zero(many):
    rows, total = selectors.entity_query(
        tenant="", query=selectors.EntityQuery(q=q_parse("temperature==12345"), limit=20)
    )
    assert (rows, total) == ([], 0)
