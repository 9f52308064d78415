import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.ngsi.models import Entity

from .conftest import Api, editor_of
from .test_entities import ERRORS

pytestmark = pytest.mark.django_db


def car(number, **attrs):
    return {
        "id": f"urn:ngsi-ld:Car:{number}",
        "type": "Car",
        "speed": {"type": "Property", "value": number},
        **attrs,
    }


def test_batch_create_answers_201_with_the_ids(api):
    response = api.post("/entityOperations/create", [car(1), car(2)])
    assert response.status_code == 201
    assert response.json() == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]
    assert Entity.objects.count() == 2


def test_batch_create_names_every_failed_entity(api):
    api.post("/entities", car(1))
    response = api.post(
        "/entityOperations/create", [car(1), car(2), {"id": "bad id", "type": "Car"}, car(2)]
    )
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Car:2"]
    assert [(error["entityId"], error["error"]["type"]) for error in body["errors"]] == [
        ("urn:ngsi-ld:Car:1", ERRORS + "AlreadyExists"),
        ("bad id", ERRORS + "BadRequestData"),
        ("urn:ngsi-ld:Car:2", ERRORS + "AlreadyExists"),
    ]
    assert Entity.objects.count() == 2


def test_batch_upsert_replaces_by_default_and_updates_when_asked(api):
    api.post("/entities", car(1, colour={"type": "Property", "value": "red"}))
    response = api.post("/entityOperations/upsert", [car(1), car(2)])
    assert response.status_code == 201
    assert response.json() == ["urn:ngsi-ld:Car:2"]
    assert "colour" not in api.get("/entities/urn:ngsi-ld:Car:1").json()
    again = api.post(
        "/entityOperations/upsert?options=update",
        [
            {
                "id": "urn:ngsi-ld:Car:1",
                "type": "Car",
                "colour": {"type": "Property", "value": "blue"},
            }
        ],
    )
    assert again.status_code == 204
    got = api.get("/entities/urn:ngsi-ld:Car:1").json()
    assert got["colour"]["value"] == "blue"
    assert got["speed"]["value"] == 1


def test_batch_operations_find_existing_ids_with_commas_and_quotes(api):
    """The ids are looked up together (on PostgreSQL as one array): none is split or lost."""
    odd = "urn:ngsi-ld:Car:o'neil,1;(x)"
    assert api.post("/entities", {**car(1), "id": odd}).status_code == 201
    created = api.post("/entityOperations/create", [{**car(1), "id": odd}, car(2)])
    assert created.status_code == 207
    assert created.json()["success"] == ["urn:ngsi-ld:Car:2"]
    assert [error["entityId"] for error in created.json()["errors"]] == [odd]
    replaced = api.post("/entityOperations/upsert", [{**car(3), "id": odd}, car(2)])
    assert replaced.status_code == 204
    assert Entity.objects.get(entity_id=odd).attrs["speed"][0]["value"] == 3
    assert api.post("/entityOperations/delete", [odd]).status_code == 204
    assert Entity.objects.filter(entity_id=odd).count() == 0


def test_batch_update_and_no_overwrite(api):
    api.post("/entityOperations/create", [car(1), car(2)])
    response = api.post(
        "/entityOperations/update", [car(1, speed={"type": "Property", "value": 50}), car(9)]
    )
    assert response.status_code == 207
    assert response.json()["success"] == ["urn:ngsi-ld:Car:1"]
    assert response.json()["errors"][0]["entityId"] == "urn:ngsi-ld:Car:9"
    assert response.json()["errors"][0]["error"]["type"] == ERRORS + "ResourceNotFound"
    assert api.get("/entities/urn:ngsi-ld:Car:1").json()["speed"]["value"] == 50
    kept = api.post(
        "/entityOperations/update?options=noOverwrite",
        [car(2, speed={"type": "Property", "value": 70})],
    )
    assert kept.status_code == 207
    assert api.get("/entities/urn:ngsi-ld:Car:2").json()["speed"]["value"] == 2


def test_batch_delete(api):
    api.post("/entityOperations/create", [car(1), car(2)])
    assert (
        api.post("/entityOperations/delete", ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]).status_code
        == 204
    )
    response = api.post("/entityOperations/delete", ["urn:ngsi-ld:Car:1"])
    assert response.status_code == 207
    assert response.json()["errors"][0]["error"]["type"] == ERRORS + "ResourceNotFound"


def test_batch_bodies_must_be_non_empty_arrays(api):
    for body in ({"id": "urn:ngsi-ld:Car:1"}, []):
        response = api.post("/entityOperations/create", body)
        assert response.status_code == 400
        assert response.json()["type"] == ERRORS + "BadRequestData"


def test_batch_names_entities_of_other_communities_as_failures(api, client):
    api.post("/entities", car(1))
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    response = Api(client, key).post("/entityOperations/delete", ["urn:ngsi-ld:Car:1"])
    assert response.status_code == 207
    assert response.json()["errors"][0]["error"]["status"] == 403
    assert Entity.objects.count() == 1


def test_entities_a_batch_creates_together_are_indexed_recorded_and_notified(api):
    from villagehub.ngsi.models import AttributeInstance, Notification

    response = api.post(
        "/subscriptions",
        {
            "id": "urn:ngsi-ld:Subscription:fast",
            "type": "Subscription",
            "entities": [{"type": "Car"}],
            "q": "speed>1",
            "notification": {"endpoint": {"uri": "http://127.0.0.1:9/n"}},
        },
    )
    assert response.status_code == 201, response.content
    located = car(
        3, location={"type": "GeoProperty", "value": {"type": "Point", "coordinates": [12, 56]}}
    )
    response = api.post("/entityOperations/upsert", [car(1), car(2), located])
    assert response.status_code == 201, response.content
    assert sorted(response.json()) == [
        "urn:ngsi-ld:Car:1",
        "urn:ngsi-ld:Car:2",
        "urn:ngsi-ld:Car:3",
    ]
    found = api.get("/entities", type="Car", q="speed>=2", count="true")
    assert [item["id"] for item in found.json()] == ["urn:ngsi-ld:Car:2", "urn:ngsi-ld:Car:3"]
    assert found.headers["NGSILD-Results-Count"] == "2"
    near = api.get(
        "/entities",
        type="Car",
        georel="near;maxDistance==1000",
        geometry="Point",
        coordinates="[12,56]",
    )
    assert [item["id"] for item in near.json()] == ["urn:ngsi-ld:Car:3"]
    assert AttributeInstance.objects.filter(attribute="speed").count() == 3
    assert Notification.objects.count() == 2


def test_an_entity_twice_in_an_upsert_is_created_then_changed(api):
    response = api.post(
        "/entityOperations/upsert", [car(1), car(2), car(1, speed={"type": "Property", "value": 9})]
    )
    assert response.status_code == 201, response.content
    assert Entity.objects.get(entity_id="urn:ngsi-ld:Car:1").attrs["speed"][0]["value"] == 9
    assert Entity.objects.count() == 2


def test_an_entity_created_meanwhile_is_reported_alone(api, monkeypatch):
    from villagehub.ngsi import services

    api.post("/entities", car(2))
    # As if another request created Car:2 after this batch looked for existing ids.
    monkeypatch.setattr(services, "_existing_ids", lambda tenant, items: set())
    response = api.post("/entityOperations/create", [car(1), car(2), car(3)])
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:3"]
    assert [error["entityId"] for error in body["errors"]] == ["urn:ngsi-ld:Car:2"]
    assert Entity.objects.count() == 3


def test_an_upsert_replaces_existing_entities_together(api, client, django_assert_max_num_queries):
    from villagehub.ngsi.models import AttributeInstance, EntityValue

    located = car(
        1, location={"type": "GeoProperty", "value": {"type": "Point", "coordinates": [12, 56]}}
    )
    assert api.post("/entityOperations/create", [located, car(2), car(3)]).status_code == 201
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    Api(client, key).post("/entities", car(9))
    created = Entity.objects.get(entity_id="urn:ngsi-ld:Car:1").attrs["speed"][0]["createdAt"]
    moved = car(
        1,
        speed={"type": "Property", "value": 50},
        location={"type": "GeoProperty", "value": {"type": "Point", "coordinates": [20, 60]}},
    )
    # Read, checked and written together (PostgreSQL's COPY is not counted: at most).
    with django_assert_max_num_queries(19):
        response = api.post(
            "/entityOperations/upsert",
            [moved, car(2, speed={"type": "Property", "value": 60}), {"id": "x"}, car(9)],
        )
    assert response.status_code == 207, response.content
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]
    assert [(e["entityId"], e["error"]["status"]) for e in body["errors"]] == [
        ("x", 400),
        ("urn:ngsi-ld:Car:9", 403),
    ]
    one = Entity.objects.get(entity_id="urn:ngsi-ld:Car:1")
    assert one.attrs["speed"][0]["value"] == 50
    assert one.attrs["speed"][0]["createdAt"] == created
    assert Entity.objects.get(entity_id="urn:ngsi-ld:Car:9").attrs["speed"][0]["value"] == 9
    found = api.get("/entities", type="Car", q="speed>=50", count="true")
    assert [item["id"] for item in found.json()] == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]
    assert not EntityValue.objects.filter(attribute="speed", number__in=[1, 2]).exists()
    near = api.get(
        "/entities", georel="near;maxDistance==1000", geometry="Point", coordinates="[20,60]"
    )
    assert [item["id"] for item in near.json()] == ["urn:ngsi-ld:Car:1"]
    old_place = api.get(
        "/entities", georel="near;maxDistance==1000", geometry="Point", coordinates="[12,56]"
    )
    assert old_place.json() == []
    assert list(
        AttributeInstance.objects.filter(entity_id="urn:ngsi-ld:Car:1", attribute="speed")
        .order_by("pk")
        .values_list("instance__value", flat=True)
    ) == [1, 50]


def test_the_queries_of_an_upsert_do_not_grow_with_its_entities(api):
    assert api.post("/entityOperations/create", [car(n) for n in range(30)]).status_code == 201
    few = [car(n, speed={"type": "Property", "value": 100}) for n in range(3)]
    with CaptureQueriesContext(connection) as small:
        assert api.post("/entityOperations/upsert", few).status_code == 204
    many = [car(n, speed={"type": "Property", "value": 200}) for n in range(30)]
    with CaptureQueriesContext(connection) as large:
        assert api.post("/entityOperations/upsert", many).status_code == 204
    assert len(large.captured_queries) == len(small.captured_queries)
    assert Entity.objects.filter(attrs__speed__0__value=200).count() == 30


def test_an_upsert_in_update_mode_changes_existing_entities_together(api):
    from villagehub.ngsi.models import AttributeInstance

    assert api.post("/entityOperations/create", [car(1), car(2)]).status_code == 201
    response = api.post(
        "/entityOperations/upsert?options=update",
        [
            {
                "id": "urn:ngsi-ld:Car:1",
                "type": "Car",
                "colour": {"type": "Property", "value": "red"},
            },
            car(2, speed={"type": "Property", "value": 70}),
            {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": {"type": "Property"}},
        ],
    )
    assert response.status_code == 207, response.content
    assert response.json()["success"] == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]
    assert response.json()["errors"][0]["error"]["status"] == 400
    one = Entity.objects.get(entity_id="urn:ngsi-ld:Car:1").attrs
    assert (one["speed"][0]["value"], one["colour"][0]["value"]) == (1, "red")
    assert Entity.objects.get(entity_id="urn:ngsi-ld:Car:2").attrs["speed"][0]["value"] == 70
    assert api.get("/entities", type="Car", q='colour=="red"').json()[0]["id"] == (
        "urn:ngsi-ld:Car:1"
    )
    assert list(
        AttributeInstance.objects.filter(entity_id="urn:ngsi-ld:Car:1")
        .order_by("pk")
        .values_list("attribute", flat=True)
    ) == ["speed", "colour"]


def test_a_batch_update_names_each_failed_entity_and_writes_the_others(api, client):
    from villagehub.ngsi.models import AttributeInstance

    api.post("/entityOperations/create", [car(1), car(2), car(3)])
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    Api(client, key).post("/entities", car(9))
    response = api.post(
        "/entityOperations/update",
        [
            {"id": "urn:ngsi-ld:Car:1", "speed": {"type": "Property", "value": 10}},
            {"id": "urn:ngsi-ld:Car:2", "speed": {"type": "Property"}},
            {"id": "urn:ngsi-ld:Car:404", "speed": 5},
            "not an object",
            {"id": "bad id", "speed": 5},
            {"id": "urn:ngsi-ld:Car:9", "speed": 5},
            {"id": "urn:ngsi-ld:Car:3", "colour": "green"},
        ],
    )
    assert response.status_code == 207, response.content
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:3"]
    assert [(e["entityId"], e["error"]["status"]) for e in body["errors"]] == [
        ("urn:ngsi-ld:Car:2", 400),
        ("urn:ngsi-ld:Car:404", 404),
        ("None", 400),
        ("bad id", 400),
        ("urn:ngsi-ld:Car:9", 403),
    ]
    speeds = {
        entity.entity_id: entity.attrs["speed"][0]["value"] for entity in Entity.objects.all()
    }
    assert speeds == {
        "urn:ngsi-ld:Car:1": 10,
        "urn:ngsi-ld:Car:2": 2,
        "urn:ngsi-ld:Car:3": 3,
        "urn:ngsi-ld:Car:9": 9,
    }
    assert api.get("/entities", type="Car", q="speed==10").json()[0]["id"] == "urn:ngsi-ld:Car:1"
    assert api.get("/entities", type="Car", q='colour=="green"').json()[0]["id"] == (
        "urn:ngsi-ld:Car:3"
    )
    assert list(
        AttributeInstance.objects.filter(entity_id__in=["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:3"])
        .order_by("pk")
        .values_list("entity_id", "attribute")
    )[-2:] == [("urn:ngsi-ld:Car:1", "speed"), ("urn:ngsi-ld:Car:3", "colour")]


def test_a_batch_update_without_overwrite_adds_new_attributes_and_names_kept_ones(api):
    api.post("/entityOperations/create", [car(1)])
    response = api.post(
        "/entityOperations/update?options=noOverwrite",
        [{"id": "urn:ngsi-ld:Car:1", "speed": 70, "colour": "red"}],
    )
    assert response.status_code == 207
    error = response.json()["errors"][0]
    assert error["entityId"] == "urn:ngsi-ld:Car:1"
    assert error["error"]["detail"] == "Not updated: speed"
    attrs = Entity.objects.get().attrs
    assert (attrs["speed"][0]["value"], attrs["colour"][0]["value"]) == (1, "red")


def test_batch_update_and_delete_take_as_many_queries_for_3_entities_as_for_30(api):
    assert api.post("/entityOperations/create", [car(n) for n in range(33)]).status_code == 201
    counts = []
    for numbers in (range(3), range(3, 33)):
        with CaptureQueriesContext(connection) as update:
            body = [{"id": f"urn:ngsi-ld:Car:{n}", "speed": 100} for n in numbers]
            assert api.post("/entityOperations/update", body).status_code == 204
        with CaptureQueriesContext(connection) as delete:
            ids = [f"urn:ngsi-ld:Car:{n}" for n in numbers]
            assert api.post("/entityOperations/delete", ids).status_code == 204
        counts.append((len(update.captured_queries), len(delete.captured_queries)))
    assert counts[0] == counts[1]
    assert Entity.objects.count() == 0


def test_a_batch_delete_names_each_failed_id_and_tells_the_subscribers_of_the_others(api, client):
    from villagehub.ngsi.models import EntityType, EntityValue, Notification

    api.post("/entityOperations/create", [car(1), car(2)])
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    Api(client, key).post("/entities", car(9))
    api.post(
        "/subscriptions",
        {
            "type": "Subscription",
            "entities": [{"type": "Car"}],
            "notificationTrigger": ["entityDeleted"],
            "notification": {"endpoint": {"uri": "http://127.0.0.1:9/x"}},
        },
    )
    response = api.post(
        "/entityOperations/delete",
        ["urn:ngsi-ld:Car:1", 7, "urn:ngsi-ld:Car:9", "urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"],
    )
    assert response.status_code == 207
    body = response.json()
    assert body["success"] == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]
    assert [(e["entityId"], e["error"]["status"]) for e in body["errors"]] == [
        ("7", 400),
        ("urn:ngsi-ld:Car:9", 403),
        ("urn:ngsi-ld:Car:1", 404),
    ]
    assert list(Entity.objects.values_list("entity_id", flat=True)) == ["urn:ngsi-ld:Car:9"]
    assert EntityType.objects.count() == EntityValue.objects.count() == 1
    told = [item.payload["data"][0]["id"] for item in Notification.objects.order_by("pk")]
    assert told == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]


def test_batch_merge_patches_each_entity_and_names_the_missing(api):
    api.post("/entityOperations/create", [car(1, colour={"type": "Property", "value": "red"})])
    api.post("/entityOperations/create", [car(2)])
    response = api.post(
        "/entityOperations/merge",
        [
            {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": 80, "colour": "urn:ngsi-ld:null"},
            {"id": "urn:ngsi-ld:Car:2", "type": "Car", "owner": {"object": "urn:ngsi-ld:P:1"}},
            {"id": "urn:ngsi-ld:Car:9", "type": "Car", "speed": 1},
        ],
    )
    assert response.status_code == 207
    assert response.json()["success"] == ["urn:ngsi-ld:Car:1", "urn:ngsi-ld:Car:2"]
    assert [error["entityId"] for error in response.json()["errors"]] == ["urn:ngsi-ld:Car:9"]
    assert response.json()["errors"][0]["error"]["type"] == ERRORS + "ResourceNotFound"
    first = api.get("/entities/urn:ngsi-ld:Car:1").json()
    assert first["speed"] == {"type": "Property", "value": 80}
    assert "colour" not in first
    second = api.get("/entities/urn:ngsi-ld:Car:2").json()
    assert second["speed"]["value"] == 2
    assert second["owner"] == {"type": "Relationship", "object": "urn:ngsi-ld:P:1"}
    assert not Entity.objects.filter(entity_id="urn:ngsi-ld:Car:9").exists()


def test_batch_merge_of_existing_entities_is_204(api):
    api.post("/entityOperations/create", [car(1), car(2)])
    response = api.post(
        "/entityOperations/merge",
        [{"id": "urn:ngsi-ld:Car:1", "speed": 5}, {"id": "urn:ngsi-ld:Car:2", "speed": 6}],
    )
    assert response.status_code == 204
    assert api.get("/entities/urn:ngsi-ld:Car:2").json()["speed"]["value"] == 6
