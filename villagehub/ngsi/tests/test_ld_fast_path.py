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


# Writes: `ld.is_plain` documents skip the processor on the way in. Generated documents,
# plain or not, must never be stored differently from what the processor makes of them.

ANY_NAMES = st.sampled_from(
    [
        "temperature",
        "name",
        "x_1",
        "description",
        "status",
        "location",
        "data",
        "value",
        "object",
        "schema:name",
        "https://example.org/p",
        "a b",
        "@id",
        "observedAt",
        "unitCode",
    ]
)
ANY_SCALARS = st.one_of(
    st.none(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(max_size=6),
    st.sampled_from(
        [
            "urn:ngsi-ld:X:1",
            "https://uri.etsi.org/ngsi-ld/default-context/x",
            "ngsi-ld:x",
            "2025-01-01T00:00:00Z",
        ]
    ),
)
ANY_VALUES = st.recursive(
    ANY_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(ANY_NAMES | st.just("type"), inner, max_size=3)
    ),
    max_leaves=6,
)
ANY_INSTANCES = st.fixed_dictionaries(
    {"type": st.sampled_from(["Property", "Relationship", "GeoProperty", "LanguageProperty"])},
    optional={
        "value": ANY_VALUES
        | st.builds(
            lambda kind, c: {"type": kind, "coordinates": c},
            st.sampled_from(["Point", "Polygon", "Feature"]),
            st.lists(
                st.floats(-90, 90) | st.lists(st.floats(-90, 90), min_size=2, max_size=2),
                min_size=1,
                max_size=3,
            ),
        ),
        "object": st.sampled_from(["urn:ngsi-ld:B:1", "https://example.org/b", "ngsi-ld:x"]),
        "observedAt": st.sampled_from(["2025-01-01T00:00:00Z", "yesterday"]),
        "unitCode": st.sampled_from(["CEL", "urn:x"]),
        "datasetId": st.sampled_from(["urn:ngsi-ld:D:1", "d1"]),
        "accuracy": st.builds(_property, ANY_SCALARS),
    },
)
ANY_ENTITIES = st.builds(
    lambda entity_id, kind, attrs: {"id": entity_id, **({"type": kind} if kind else {}), **attrs},
    st.sampled_from(["urn:ngsi-ld:T:1", "https://example.org/t/1", "urn:ngsi-ld:T:1 x"]),
    st.sampled_from(["Thing", "Property", "schema:Thing", ["Thing", "Other"], ["Thing"], None]),
    st.dictionaries(
        ANY_NAMES, ANY_INSTANCES | st.lists(ANY_INSTANCES, min_size=1, max_size=2), max_size=3
    ),
)


def _processed(document):
    compacted = jsonld.compact(
        {"@context": ld.context_list(None), **document},
        ld.CORE_URL,
        {"documentLoader": ld.document_loader, "base": ""},
    )
    compacted.pop("@context", None)
    return compacted


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_ENTITIES)
def test_a_document_called_plain_is_stored_as_the_processor_would_store_it(document):
    if ld.is_plain(document):
        assert _processed(document) == document


PLAIN_INSTANCES = st.one_of(
    st.builds(_property, st.integers() | st.floats(allow_nan=False, allow_infinity=False)),
    st.builds(_property, st.text(max_size=20)),
    st.builds(
        lambda v: {
            "type": "Property",
            "value": v,
            "observedAt": "2025-01-01T00:00:00Z",
            "unitCode": "CEL",
        },
        st.floats(-50, 50),
    ),
    st.builds(
        lambda a, b: {"type": "Property", "value": {"streetAddress": a, "city": b}},
        st.text(),
        st.text(),
    ),
    st.builds(
        lambda n: {"type": "Relationship", "object": f"urn:ngsi-ld:Community:c{n}"},
        st.integers(0, 9),
    ),
    st.builds(
        lambda v, a: {"type": "Property", "value": v, "accuracy": _property(a)},
        st.integers(),
        st.floats(0, 1),
    ),
)
PLAIN_ENTITIES = st.builds(
    lambda attrs, x, y: {
        "id": "urn:ngsi-ld:Thing:1",
        "type": "Thing",
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [x, y]}},
        **attrs,
    },
    st.dictionaries(
        st.sampled_from(["temperature", "name", "address", "refCommunity", "speed"]),
        PLAIN_INSTANCES,
        max_size=4,
    ),
    st.floats(-180, 180),
    st.floats(-90, 90),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PLAIN_ENTITIES)
def test_common_entities_are_plain_and_stored_unchanged(document):
    assert ld.is_plain(document)
    assert _processed(document) == document
    assert ld.to_storage(document, None) == document
