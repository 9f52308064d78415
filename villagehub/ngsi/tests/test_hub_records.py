from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from villagehub.communities.models import Community
from villagehub.communities.services import community_update
from villagehub.ngsi import ld
from villagehub.ngsi.models import Entity
from villagehub.ngsi.services import hub_records_sync
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Goal

pytestmark = pytest.mark.django_db

HUB_LINK = f'<{ld.hub_context_url()}>; rel="http://www.w3.org/ns/json-ld#context"'
SDG_LINK = '<https://smart-data-models.github.io/dataModel.SDG/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'


@pytest.fixture
def records(town):
    Community.objects.filter(pk=town.pk).update(population=740, latitude=55.9, longitude=11.9)
    practice = PracticeFactory(title="Torup Ting", slug="torup-ting", community=town)
    practice.goals.set(Goal.objects.filter(number__in=[11, 16]))
    return hub_records_sync()


def test_communities_and_practices_become_read_only_entities(records, anonymous):
    assert records["created"] >= 2
    community = anonymous.get(
        "/entities/urn:ngsi-ld:Community:torup", headers={"Link": HUB_LINK}
    ).json()
    assert community["type"] == "Community"
    assert community["name"] == {"type": "Property", "value": "Torup"}
    assert community["population"] == {"type": "Property", "value": 740}
    assert community["location"]["value"] == {"type": "Point", "coordinates": [11.9, 55.9]}
    project = anonymous.get(
        "/entities/urn:ngsi-ld:Project:torup-ting", headers={"Link": SDG_LINK}
    ).json()
    assert project["type"] == "Project"
    assert project["name"]["value"] == "Torup Ting"
    near = anonymous.get(
        "/entities",
        type="Community",
        georel="near;maxDistance==1000",
        geometry="Point",
        coordinates="[11.9, 55.9]",
        headers={"Link": HUB_LINK},
    ).json()
    assert [item["id"] for item in near] == ["urn:ngsi-ld:Community:torup"]


def test_the_hub_context_is_served(anonymous, db):
    served = anonymous.get("/jsonldContexts/villagehub").json()
    assert served["@context"]["Community"] == "schema:AdministrativeArea"


def test_hub_records_cannot_be_written_through_ngsi_ld(records, api):
    response = api.patch("/entities/urn:ngsi-ld:Community:torup/attrs/name", {"value": "Mine"})
    assert response.status_code == 403
    assert "hub's own records" in response.json()["detail"]
    assert api.delete("/entities/urn:ngsi-ld:Project:torup-ting").status_code == 403


def test_sync_again_updates_only_what_changed_and_deletes_what_is_gone(records, town):
    assert hub_records_sync() == {"created": 0, "updated": 0, "deleted": 0}
    Community.objects.filter(pk=town.pk).update(population=800)
    assert hub_records_sync() == {"created": 0, "updated": 1, "deleted": 0}
    entity = Entity.objects.get(entity_id="urn:ngsi-ld:Community:torup")
    population = next(key for key in entity.attrs if key.endswith("population"))
    assert entity.attrs[population][0]["value"] == 800
    town.practices.all().delete()
    assert hub_records_sync()["deleted"] == 1
    assert not Entity.objects.filter(entity_id="urn:ngsi-ld:Project:torup-ting").exists()


def test_a_sync_since_reads_only_records_updated_since_but_sees_every_deletion(records, town):
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(hours=1)
    Community.objects.filter(pk=town.pk).update(population=900)
    assert hub_records_sync(since=later) == {"created": 0, "updated": 0, "deleted": 0}
    Community.objects.filter(pk=town.pk).update(updated_at=later)
    assert hub_records_sync(since=later) == {"created": 0, "updated": 1, "deleted": 0}
    town.practices.all().delete()
    assert hub_records_sync(since=later + timedelta(hours=1))["deleted"] == 1


def test_the_periodic_task_publishes_and_notifies(town, api, django_capture_on_commit_callbacks):
    from villagehub.ngsi.models import Notification
    from villagehub.ngsi.tasks import hub_records_sync_run

    api.post(
        "/subscriptions",
        {
            "type": "Subscription",
            "entities": [{"type": "Community"}],
            "notificationTrigger": ["entityCreated"],
            "notification": {"endpoint": {"uri": "http://127.0.0.1:9/x"}},
        },
        headers={"Link": HUB_LINK},
    )
    hub_records_sync_run.enqueue()
    assert Entity.objects.filter(entity_id="urn:ngsi-ld:Community:torup", hub_record=True).exists()
    assert Notification.objects.get().payload["data"][0]["id"] == "urn:ngsi-ld:Community:torup"


def test_a_published_image_is_on_its_community_and_project_entity(
    anonymous, town, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (500, 250), (30, 120, 60)).save(buffer, "JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        community_update(
            community=town, image=ContentFile(buffer.getvalue(), "hall.jpg"), image_alt="The hall"
        )
    town.refresh_from_db()
    PracticeFactory(slug="bus", community=town)
    hub_records_sync()

    community = anonymous.get(
        "/entities/urn:ngsi-ld:Community:torup", headers={"Link": HUB_LINK}
    ).json()
    project = anonymous.get("/entities/urn:ngsi-ld:Project:bus", headers={"Link": HUB_LINK}).json()

    media = f"https://hub.example.org/media/{town.image.name}"
    sized = media.replace("/media/", "/media/sizes/").removesuffix(".jpg")
    assert community["image"] == {
        "type": "JsonProperty",
        "json": {
            "url": media,
            "description": "The hall",
            "width": 500,
            "height": 250,
            "sizes": [{"width": 320, "webp": f"{sized}-320w.webp", "jpeg": f"{sized}-320w.jpg"}],
        },
    }
    assert "image" not in project  # a practice without a picture has no such attribute
