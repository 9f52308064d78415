"""How a write of one entity's attributes is stored: the index rows of the attributes it
changed written anew and the others left alone, and the entity read again under the lock
(`services._entity_change`)."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villagehub.ngsi import services
from villagehub.ngsi.errors import ResourceNotFound
from villagehub.ngsi.models import Entity, EntityLocation, EntityType, EntityValue, Notification

from .test_entities import create

pytestmark = pytest.mark.django_db

ID = "urn:ngsi-ld:Building:store001"
PATH = "/entities/" + ID


def index_rows():
    """Each index row of the building by id: what a rewrite would give new ids."""
    return {
        "types": dict(EntityType.objects.values_list("pk", "name")),
        "boxes": dict(EntityLocation.objects.values_list("pk", "attribute")),
        "values": dict(EntityValue.objects.values_list("pk", "attribute")),
    }


def ids_found(api, **params):
    response = api.get("/entities", **params)
    assert response.status_code == 200, response.content
    return [entity["id"] for entity in response.json()]


def test_a_partial_update_rewrites_the_index_rows_of_that_attribute_only(api):
    create(api)
    before = index_rows()

    assert api.patch(PATH + "/attrs/temperature", {"value": 30}).status_code == 204

    after = index_rows()
    assert after["types"] == before["types"]
    assert after["boxes"] == before["boxes"]
    kept = {pk: name for pk, name in before["values"].items() if name != "temperature"}
    assert {pk: name for pk, name in after["values"].items() if pk in kept} == kept
    new = [pk for pk, name in after["values"].items() if name == "temperature"]
    assert len(new) == 1
    assert new[0] not in before["values"]
    assert EntityValue.objects.get(pk=new[0]).number == 30
    assert ids_found(api, type="Building", q="temperature==30") == [ID]
    assert ids_found(api, type="Building", q="temperature==21.5") == []
    assert ids_found(api, type="Building", q='name=="Bösebrücke Einkauf"') == [ID]
    assert ids_found(
        api, type="Building", georel="near;maxDistance==100", geometry="Point",
        coordinates="[13.3986,52.5547]",
    ) == [ID]  # fmt: skip


def test_an_append_that_adds_a_type_indexes_every_attribute_under_it(api):
    create(api)
    response = api.post(PATH + "/attrs", {"type": "Shop", "open": True})
    assert response.status_code == 204, response.content

    assert ids_found(api, type="Shop", q="temperature==21.5") == [ID]
    assert ids_found(api, type="Shop", q="open==true") == [ID]
    assert ids_found(api, type="Building", q="open==true") == [ID]
    assert sorted(EntityType.objects.values_list("name", flat=True)) == ["Building", "Shop"]


def test_a_deleted_attribute_leaves_the_index(api):
    create(api)
    assert api.delete(PATH + "/attrs/location").status_code == 204

    assert not EntityLocation.objects.exists()
    assert ids_found(
        api, type="Building", georel="near;maxDistance==100", geometry="Point",
        coordinates="[13.3986,52.5547]",
    ) == []  # fmt: skip
    assert ids_found(api, type="Building", q="temperature==21.5") == [ID]


def test_an_update_of_several_attributes_rewrites_theirs(api):
    create(api)
    response = api.patch(
        PATH + "/attrs",
        {
            "name": {"type": "Property", "value": "Neu"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}},
        },
    )
    assert response.status_code == 204, response.content

    assert ids_found(api, type="Building", q='name=="Neu"') == [ID]
    assert list(EntityLocation.objects.values_list("min_x", "min_y")) == [(1, 2)]
    assert ids_found(api, type="Building", q="temperature==21.5") == [ID]


# PostgreSQL reads the entity once, locked: no other writer can change it meanwhile.
read_before_the_lock = pytest.mark.skipif(
    connection.features.has_select_for_update, reason="the entity is read once, locked"
)


@read_before_the_lock
def test_a_change_made_between_the_read_and_the_lock_is_kept(api, monkeypatch):
    """Another writer commits after this write read the entity and before its transaction:
    the write is made again on the entity as it is, and neither change is lost."""
    create(api)
    patched = services._patch_change
    raced = []

    def racing(entity, **kwargs):
        if not raced:
            raced.append(entity.entity_id)
            assert api.patch(PATH + "/attrs/name", {"value": "Meanwhile"}).status_code == 204
        return patched(entity, **kwargs)

    monkeypatch.setattr(services, "_patch_change", racing)
    assert api.patch(PATH + "/attrs/temperature", {"value": 30}).status_code == 204

    entity = Entity.objects.get()
    assert entity.attrs["name"][0]["value"] == "Meanwhile"
    assert entity.attrs["temperature"][0]["value"] == 30
    assert ids_found(api, type="Building", q='name=="Meanwhile";temperature==30') == [ID]


@read_before_the_lock
def test_an_entity_deleted_between_the_read_and_the_lock_is_not_found(api, monkeypatch):
    create(api)
    patched = services._patch_change

    def racing(entity, **kwargs):
        if Entity.objects.exists():
            assert api.delete(PATH).status_code == 204
        return patched(entity, **kwargs)

    monkeypatch.setattr(services, "_patch_change", racing)
    response = api.patch(PATH + "/attrs/temperature", {"value": 30})

    assert response.status_code == 404
    assert not Entity.objects.exists()


def test_a_partial_update_with_a_subscriber_takes_these_queries(api):
    """The entity and whether the writer edits its community are read (on SQLite, before
    the transaction); then the entity again, locked, its row written, the attribute's old
    value rows deleted (it has no location rows to delete) and the new inserted, its
    history, the subscriptions, the notification."""
    create(api)
    subscribed = api.post(
        "/subscriptions",
        {
            "type": "Subscription",
            "entities": [{"type": "Building"}],
            "notification": {"endpoint": {"uri": "http://127.0.0.1:9/none"}},
        },
    )
    assert subscribed.status_code == 201, subscribed.content
    user = User.objects.get(username="editor")

    with CaptureQueriesContext(connection) as queries:
        services.entity_attr_patch(
            user=user,
            tenant="",
            entity_id=ID,
            name="temperature",
            document={"value": 30},
            context=None,
        )

    # The test runs in a transaction, so the service's is a savepoint here; an executemany
    # is logged as "N times: <statement>".
    statements = [re.sub(r"^\d+ times: ", "", query["sql"]) for query in queries.captured_queries]
    opened = next(n for n, sql in enumerate(statements) if sql.startswith("SAVEPOINT"))
    before = [" ".join(sql.split()[:3]) for sql in statements[:opened]]
    inside = [" ".join(sql.split()[:3]) for sql in statements[opened + 1 : -1]]
    reads = ['SELECT e."id", e."tenant",', "SELECT 1 AS"]
    writes = [
        "UPDATE ngsi_entity SET",
        "DELETE FROM ngsi_entityvalue",
        "INSERT INTO ngsi_entityvalue",
        "INSERT INTO ngsi_attributeinstance",
        'SELECT "ngsi_subscription"."id", "ngsi_subscription"."tenant",',
        'INSERT INTO "ngsi_notification"',
    ]
    if connection.features.has_select_for_update:
        assert (before, inside) == ([], reads + writes)
        assert statements[opened + 1].endswith("FOR UPDATE")
    else:
        assert (before, inside) == (reads, reads[:1] + writes)
    assert statements[-1].startswith("RELEASE SAVEPOINT")
    assert Notification.objects.count() == 1


@read_before_the_lock
def test_a_missing_entity_is_found_missing_before_any_transaction(api):
    user = User.objects.get(username="editor")
    with CaptureQueriesContext(connection) as queries, pytest.raises(ResourceNotFound):
        services.entity_attr_patch(
            user=user,
            tenant="",
            entity_id="urn:ngsi-ld:Building:none",
            name="temperature",
            document={"value": 1},
            context=None,
        )
    assert [query["sql"].split()[0] for query in queries.captured_queries] == ["SELECT"]
