"""Property tests: what is written comes back unchanged; no q text makes anything but a 400."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from villagehub.ngsi import ld
from villagehub.ngsi.errors import BadRequestData
from villagehub.ngsi.query import q_match, q_parse
from villagehub.ngsi.representation import entity_normalize

NAMES = st.from_regex(r"[a-z][a-zA-Z0-9]{0,12}", fullmatch=True).filter(
    lambda name: name not in ld.RESERVED_NAMES and name not in ("type", "location")
)
SCALARS = st.one_of(
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32).filter(
        lambda x: not float(x).is_integer()
    ),
    st.text(max_size=20),
    st.booleans(),
)
ATTRIBUTES = st.one_of(
    SCALARS.map(lambda value: {"type": "Property", "value": value}),
    st.from_regex(r"urn:ngsi-ld:[A-Z][a-z]{1,8}:[0-9]{1,4}", fullmatch=True).map(
        lambda uri: {"type": "Relationship", "object": uri}
    ),
    st.dictionaries(
        st.sampled_from(["en", "sv", "lv", "fr"]), st.text(max_size=10), min_size=1
    ).map(lambda texts: {"type": "LanguageProperty", "languageMap": texts}),
    st.lists(st.integers(0, 100), min_size=2, max_size=4).map(
        lambda values: {"type": "ListProperty", "valueList": values}
    ),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), min_size=1, max_size=3).map(
        lambda data: {"type": "JsonProperty", "json": data}
    ),
    st.tuples(st.floats(-180, 180), st.floats(-90, 90)).map(
        lambda point: {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": list(point)},
        }
    ),
)
ENTITIES = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"urn:ngsi-ld:Thing:[a-z0-9]{1,8}", fullmatch=True),
        "type": st.sampled_from(["Thing", "Sensor", "Building"]),
    }
).flatmap(
    lambda base: st.dictionaries(NAMES, ATTRIBUTES, max_size=5).map(lambda attrs: {**base, **attrs})
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENTITIES)
def test_expansion_then_compaction_gives_the_entity_back(entity):
    normalized = entity_normalize(entity)
    stored = ld.to_storage(
        {key: value[0] if isinstance(value, list) else value for key, value in normalized.items()},
        None,
    )
    assert ld.from_storage(stored, None) == {**entity, "type": entity["type"]}


Q_ALPHABET = st.sampled_from([*'abcxyz019.,;|()[]"=!<>~ -:TZ_', "==", "..", "~=", "!="])


@settings(max_examples=300, deadline=None)
@given(st.lists(Q_ALPHABET, max_size=30).map("".join))
def test_q_parsing_never_fails_but_with_bad_request_data(text):
    entity = {
        "attrs": {
            "a": [{"type": "Property", "value": {"b": 1}}],
            "x": [{"type": "Property", "value": "z"}],
        }
    }
    try:
        tree = q_parse(text)
    except BadRequestData as error:
        assert error.detail.startswith("q:")
        return
    assert q_match(tree, entity) in (True, False)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_q_is_answered_200_or_400(anonymous, text):
    response = anonymous.get("/entities", type="Thing", q=text)
    assert response.status_code in (200, 400)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["id", "type", "temperature", "location", "@context", "scope", "x"]),
        JSON_VALUES,
        max_size=5,
    )
)
def test_any_json_entity_is_created_or_refused_with_a_problem(api, body):
    response = api.post("/entities", body)
    assert response.status_code in (201, 400, 409), response.content
    if response.status_code != 201:
        assert response.json()["detail"]
