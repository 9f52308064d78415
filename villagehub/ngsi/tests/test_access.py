import pytest

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.ngsi.models import Entity

from .conftest import Api, editor_of
from .test_entities import BUILDING, create

pytestmark = pytest.mark.django_db

PATH = "/entities/urn:ngsi-ld:Building:store001"
HUB_ERRORS = "urn:villagehub:ngsi-ld:errors:"


def test_reads_need_no_account(api, anonymous):
    create(api)
    assert anonymous.get(PATH).status_code == 200


def test_writes_without_a_token_are_401(anonymous):
    response = anonymous.post("/entities", BUILDING)
    assert response.status_code == 401
    assert response.json()["type"] == HUB_ERRORS + "Unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_token_is_401(client):
    response = Api(client, "vh_wrong").post("/entities", BUILDING)
    assert response.status_code == 401


def test_another_communitys_entity_cannot_be_written(api, client):
    create(api)
    _user, other_key = editor_of("other", CommunityFactory(slug="other-village"))
    other = Api(client, other_key)
    for response in (
        other.post(PATH + "/attrs", {"name": "Mine"}),
        other.patch(PATH + "/attrs/name", {"value": "Mine"}),
        other.put(PATH, {"type": "Building"}),
        other.delete(PATH + "/attrs/name"),
        other.delete(PATH),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["type"] == HUB_ERRORS + "Forbidden"
    assert api.get(PATH).json()["name"]["value"] == "Bösebrücke Einkauf"


def test_an_entity_names_its_community_with_ref_community(api, client):
    second = CommunityFactory(slug="second")
    _user, key = editor_of("both", second)
    from villagehub.accounts.services import role_grant
    from villagehub.communities.models import Community

    role_grant(user=_user, kind="community_editor", target=Community.objects.get(slug="torup"))
    both = Api(client, key)
    missing = both.post("/entities", {"id": "urn:ngsi-ld:T:1", "type": "T"})
    assert missing.status_code == 400
    assert "refCommunity" in missing.json()["detail"]
    named = {
        "id": "urn:ngsi-ld:T:1",
        "type": "T",
        "refCommunity": {"type": "Relationship", "object": "urn:ngsi-ld:Community:second"},
    }
    assert both.post("/entities", named).status_code == 201
    assert Entity.objects.get().community == second


def test_naming_a_community_one_does_not_edit_is_403(api):
    CommunityFactory(slug="elsewhere")
    body = {
        "id": "urn:ngsi-ld:T:1",
        "type": "T",
        "refCommunity": {"type": "Relationship", "object": "urn:ngsi-ld:Community:elsewhere"},
    }
    response = api.post("/entities", body)
    assert response.status_code == 403
    assert Entity.objects.count() == 0


def test_tenants_are_apart_and_an_unknown_tenant_is_404(api, anonymous):
    create(api)
    tenant = {"NGSILD-Tenant": "valley"}
    unknown = anonymous.get(PATH, headers=tenant)
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant"
    assert api.post("/entities", BUILDING, headers=tenant).status_code == 201
    assert api.patch(PATH + "/attrs/name", {"value": "Valley"}, headers=tenant).status_code == 204
    assert anonymous.get(PATH, headers=tenant).json()["name"]["value"] == "Valley"
    assert anonymous.get(PATH).json()["name"]["value"] == "Bösebrücke Einkauf"


def test_csrf_does_not_block_token_writes(client, town):
    from django.test import Client

    _user, key = editor_of("csrf", town)
    strict = Api(Client(enforce_csrf_checks=True), key)
    assert strict.post("/entities", BUILDING).status_code == 201
