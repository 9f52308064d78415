"""Answers for the core context skip the JSON-LD processor: that is right only because the
processor gives the stored form back unchanged. Checked here on generated entities."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from villagehub.ngsi import ld

NAMES = st.sampled_from(
    [
        "temperature",
        "name",
        "address",
        "refCommunity",
        "schema:name",
        "https://example.org/vocab/speed",
        "population",
        "category",
    ]
)
KEYS = st.sampled_from(["streetAddress", "city", "a", "b", "count", "schema:x"])
SCALARS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3),
        st.dictionaries(KEYS, inner, min_size=1, max_size=3),
    ),
    max_leaves=6,
)


def _property(value):
    return {"type": "Property", "value": value}


INSTANCES = st.one_of(
    VALUES.map(_property),
    st.builds(
        lambda value, unit: {"type": "Property", "value": value, "unitCode": unit},
        st.integers(0, 100),
        st.sampled_from(["CEL", "P1"]),
    ),
    st.builds(
        lambda value: {
            "type": "Property",
            "value": value,
            "observedAt": "2025-03-01T12:00:00.000Z",
        },
        st.floats(-50, 50),
    ),
    st.builds(
        lambda n: {"type": "Relationship", "object": f"urn:ngsi-ld:Community:c{n}"},
        st.integers(0, 9),
    ),
    st.builds(
        lambda x, y: {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [x, y]}},
        st.floats(-180, 180),
        st.floats(-90, 90),
    ),
    st.builds(
        lambda text: {"type": "LanguageProperty", "languageMap": {"en": text, "lv": text + "s"}},
        st.text(min_size=1, max_size=8),
    ),
    st.builds(
        lambda value, sub: {"type": "Property", "value": value, "accuracy": _property(sub)},
        st.integers(0, 10),
        st.floats(0, 1),
    ),
)
MULTI = st.builds(
    lambda a, b: [
        {"type": "Property", "value": a, "datasetId": "urn:ngsi-ld:Dataset:a"},
        {"type": "Property", "value": b, "datasetId": "urn:ngsi-ld:Dataset:b"},
    ],
    SCALARS,
    SCALARS,
)
ENTITIES = st.dictionaries(NAMES, st.one_of(INSTANCES, MULTI), max_size=4).map(
    lambda attrs: {"id": "urn:ngsi-ld:Thing:1", "type": "Thing", **attrs}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENTITIES)
def test_compacting_the_stored_form_with_the_core_context_changes_nothing(entity):
    stored = ld.to_storage(entity, None)
    processed = jsonld.compact(
        {"@context": ld.CORE_URL, **stored},
        ld.context_list(None),
        {"documentLoader": ld.document_loader, "base": ""},
    )
    processed.pop("@context", None)
    assert processed == stored
    assert ld.from_storage(stored, None) == stored
    assert ld.from_storage(stored, ld.CORE_URL) == stored


def test_another_context_still_goes_through_the_processor():
    stored = ld.to_storage(
        {
            "id": "urn:ngsi-ld:Thing:1",
            "type": "Thing",
            "https://schema.org/name": {"type": "Property", "value": "x"},
        },
        None,
    )
    shown = ld.from_storage(stored, {"name": "https://schema.org/name"})
    assert "name" in shown
