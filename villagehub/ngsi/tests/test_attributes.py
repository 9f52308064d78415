import pytest

from .test_entities import BUILDING, ERRORS, create

pytestmark = pytest.mark.django_db

PATH = "/entities/urn:ngsi-ld:Building:store001"


def got(api, **params):
    return api.get(PATH, **params).json()


def test_append_adds_and_overwrites(api):
    create(api)
    response = api.post(
        PATH + "/attrs", {"temperature": {"type": "Property", "value": 25}, "open": True}
    )
    assert response.status_code == 204
    entity = got(api)
    assert entity["temperature"] == {"type": "Property", "value": 25}
    assert entity["open"] == {"type": "Property", "value": True}


def test_append_with_no_overwrite_names_what_it_kept(api):
    create(api)
    response = api.post(
        PATH + "/attrs?options=noOverwrite",
        {
            "temperature": {"type": "Property", "value": 25},
            "open": {"type": "Property", "value": True},
        },
    )
    assert response.status_code == 207
    assert response.json() == {
        "updated": ["open"],
        "notUpdated": [
            {
                "attributeName": "temperature",
                "reason": "The attribute exists and noOverwrite is set.",
            }
        ],
    }
    assert got(api)["temperature"]["value"] == 21.5


def test_update_replaces_existing_and_names_missing(api):
    create(api)
    response = api.patch(
        PATH + "/attrs",
        {
            "temperature": {"type": "Property", "value": 19},
            "missing": {"type": "Property", "value": 1},
        },
    )
    assert response.status_code == 207
    assert response.json()["updated"] == ["temperature"]
    assert response.json()["notUpdated"][0]["attributeName"] == "missing"
    assert got(api)["temperature"] == {"type": "Property", "value": 19}
    assert "missing" not in got(api)


def test_update_of_only_existing_attributes_is_204(api):
    create(api)
    assert (
        api.patch(PATH + "/attrs", {"name": {"type": "Property", "value": "New"}}).status_code
        == 204
    )
    assert got(api)["name"]["value"] == "New"


def test_partial_attribute_update_keeps_other_members(api):
    create(api)
    response = api.patch(PATH + "/attrs/temperature", {"value": 30})
    assert response.status_code == 204
    assert got(api)["temperature"] == {**BUILDING["temperature"], "value": 30}


def test_partial_update_of_a_missing_attribute_is_404(api):
    create(api)
    response = api.patch(PATH + "/attrs/nothing", {"value": 30})
    assert response.status_code == 404
    assert response.json()["type"] == ERRORS + "ResourceNotFound"


def test_multi_attributes_by_dataset_id(api):
    create(api)
    dataset = "urn:ngsi-ld:Dataset:sensor2"
    api.post(
        PATH + "/attrs", {"temperature": {"type": "Property", "value": 22, "datasetId": dataset}}
    )
    both = got(api)["temperature"]
    assert isinstance(both, list)
    assert {item.get("datasetId") for item in both} == {None, dataset}
    assert api.delete(PATH + f"/attrs/temperature?datasetId={dataset}").status_code == 204
    assert got(api)["temperature"] == BUILDING["temperature"]
    response = api.delete(PATH + f"/attrs/temperature?datasetId={dataset}")
    assert response.status_code == 404


def test_delete_attribute_and_delete_all(api):
    create(api)
    api.post(PATH + "/attrs", {"name": {"type": "Property", "value": "B", "datasetId": "urn:d:2"}})
    assert api.delete(PATH + "/attrs/name?deleteAll=true").status_code == 204
    assert "name" not in got(api)
    assert api.delete(PATH + "/attrs/owner").status_code == 204
    assert "owner" not in got(api)
    assert api.delete(PATH + "/attrs/owner").status_code == 404


def test_replace_entity_keeps_only_the_new_attributes(api):
    create(api)
    response = api.put(
        PATH,
        {
            "type": "Building",
            "name": {"type": "Property", "value": "Only"},
            "refCommunity": {"type": "Relationship", "object": "urn:ngsi-ld:Community:torup"},
        },
    )
    assert response.status_code == 204
    assert got(api) == {
        "id": "urn:ngsi-ld:Building:store001",
        "type": "Building",
        "name": {"type": "Property", "value": "Only"},
        "refCommunity": {"type": "Relationship", "object": "urn:ngsi-ld:Community:torup"},
    }


def test_replace_attribute_with_put(api):
    create(api)
    assert api.put(PATH + "/attrs/name", {"type": "Property", "value": "Put"}).status_code == 204
    assert got(api)["name"] == {"type": "Property", "value": "Put"}
    assert api.put(PATH + "/attrs/nothing", {"type": "Property", "value": 1}).status_code == 404


def test_modified_at_moves_created_at_stays(api):
    create(api)
    before = got(api, options="sysAttrs")["temperature"]
    api.patch(PATH + "/attrs/temperature", {"value": 30})
    after = got(api, options="sysAttrs")["temperature"]
    assert after["createdAt"] == before["createdAt"]
    assert after["modifiedAt"] >= before["modifiedAt"]


def test_merge_entity_with_patch(api):
    create(api)
    assert api.patch(PATH, {"open": {"type": "Property", "value": False}}).status_code == 204
    assert got(api)["open"] == {"type": "Property", "value": False}


def test_merge_removes_attributes_sent_as_ngsi_ld_null(api):
    create(api)
    response = api.patch(
        PATH, {"name": "urn:ngsi-ld:null", "owner": {"object": "urn:ngsi-ld:null"}, "open": True}
    )
    assert response.status_code == 204
    entity = got(api)
    assert "name" not in entity
    assert "owner" not in entity
    assert entity["open"] == {"type": "Property", "value": True}
    assert api.patch(PATH, {"id": "urn:ngsi-ld:Other:1"}).status_code == 400
