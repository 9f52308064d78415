import pytest

from villagehub.ngsi import ld
from villagehub.ngsi.models import Entity, JsonLdContext

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

KPI = "https://smart-data-models.github.io/dataModel.KeyPerformanceIndicator/context.jsonld"
KPI_LINK = f'<{KPI}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
INDICATOR = {
    "id": "urn:ngsi-ld:KeyPerformanceIndicator:torup-broadband",
    "type": "KeyPerformanceIndicator",
    "kpiValue": {"type": "Property", "value": 87.5},
    "description": {"type": "Property", "value": "Broadband coverage"},
}


def test_link_header_context_expands_names_and_answers_with_it(api):
    response = api.post("/entities", INDICATOR, headers={"Link": KPI_LINK})
    assert response.status_code == 201, response.content
    row = Entity.objects.get()
    sdm = "https://smartdatamodels.org/dataModel.KeyPerformanceIndicator/"
    assert row.types == [sdm + "KeyPerformanceIndicator"]
    assert sdm + "kpiValue" in row.attrs
    with_context = api.get(f"/entities/{INDICATOR['id']}", headers={"Link": KPI_LINK})
    assert with_context.json() == INDICATOR
    assert with_context["Link"] == KPI_LINK
    without = api.get(f"/entities/{INDICATOR['id']}").json()
    assert without["type"] == sdm + "KeyPerformanceIndicator"
    assert without[sdm + "kpiValue"] == {"type": "Property", "value": 87.5}


def test_ld_json_body_carries_its_context_and_is_answered_with_it(api):
    body = {**INDICATOR, "@context": [KPI, ld.CORE_URL]}
    response = api.post("/entities", body, content_type="application/ld+json")
    assert response.status_code == 201, response.content
    got = api.get(
        f"/entities/{INDICATOR['id']}", headers={"Link": KPI_LINK, "Accept": "application/ld+json"}
    )
    assert got["Content-Type"] == "application/ld+json"
    assert got.json() == {**INDICATOR, "@context": KPI}


def test_ld_json_without_context_is_bad_request(api):
    response = api.post("/entities", INDICATOR, content_type="application/ld+json")
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert "@context" in response.json()["detail"]


def test_ld_json_with_a_link_header_too_is_bad_request(api):
    body = {**INDICATOR, "@context": KPI}
    response = api.post(
        "/entities", body, content_type="application/ld+json", headers={"Link": KPI_LINK}
    )
    assert response.status_code == 400
    assert "Link header" in response.json()["detail"]


def test_json_with_context_in_the_body_is_bad_request(api):
    response = api.post("/entities", {**INDICATOR, "@context": KPI})
    assert response.status_code == 400
    assert "Link header" in response.json()["detail"]


def test_other_content_types_are_415(api):
    response = api.post("/entities", INDICATOR, content_type="text/plain")
    assert response.status_code == 415


def test_unacceptable_accept_is_406(anonymous):
    response = anonymous.get("/types", headers={"Accept": "text/html"})
    assert response.status_code == 406


def test_unreachable_context_is_ld_context_not_available(api):
    link = '<https://example.org/missing.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'
    response = api.post("/entities", INDICATOR, headers={"Link": link})
    assert response.status_code == 503
    assert response.json()["type"] == ERRORS + "LdContextNotAvailable"
    assert "https://example.org/missing.jsonld" in response.json()["detail"]


def test_a_fetched_context_is_cached(api, monkeypatch):
    calls = []

    def fetch(url):
        calls.append(url)
        return {"@context": {"speed": "https://example.org/vocab/speed"}}

    monkeypatch.setattr(ld, "remote_fetch", fetch)
    link = '<https://example.org/ctx.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'
    body = {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": 5}
    assert api.post("/entities", body, headers={"Link": link}).status_code == 201
    assert "https://example.org/vocab/speed" in Entity.objects.get().attrs
    ld.fetched_forget("https://example.org/ctx.jsonld")
    assert (
        api.get("/entities/urn:ngsi-ld:Car:1", headers={"Link": link}).json()["speed"]["value"] == 5
    )
    assert calls == ["https://example.org/ctx.jsonld"]
    assert JsonLdContext.objects.get().kind == "Cached"


def test_hosted_contexts_are_added_served_listed_and_deleted(api):
    response = api.post("/jsonldContexts", {"@context": {"speed": "https://example.org/speed"}})
    assert response.status_code == 201
    context_id = response["Location"].rsplit("/", 1)[1]
    served = api.get(f"/jsonldContexts/{context_id}")
    assert served.json() == {"@context": {"speed": "https://example.org/speed"}}
    url = ld.hosted_url(context_id)
    assert url in api.get("/jsonldContexts").json()
    link = f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"'
    assert (
        api.post(
            "/entities",
            {"id": "urn:ngsi-ld:Car:2", "type": "Car", "speed": 1},
            headers={"Link": link},
        ).status_code
        == 201
    )
    assert "https://example.org/speed" in Entity.objects.get().attrs
    assert api.delete(f"/jsonldContexts/{context_id}").status_code == 204
    assert api.get(f"/jsonldContexts/{context_id}").status_code == 404


def test_the_core_context_is_served_and_cannot_be_deleted(api):
    served = api.get("/jsonldContexts/" + ld.CORE_URL)
    assert served.json()["@context"]["Property"] == "ngsi-ld:Property"
    assert api.delete("/jsonldContexts/" + ld.CORE_URL).status_code == 400


def test_only_who_added_a_hosted_context_deletes_it(api, client):
    from villagehub.communities.tests.factories import CommunityFactory

    from .conftest import Api, editor_of

    response = api.post("/jsonldContexts", {"@context": {"speed": "https://example.org/speed"}})
    context_id = response["Location"].rsplit("/", 1)[1]
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    assert Api(client, key).delete(f"/jsonldContexts/{context_id}").status_code == 403
    assert JsonLdContext.objects.filter(pk=context_id).exists()


def test_reads_are_open_to_other_sites(anonymous):
    response = anonymous.get("/types", headers={"Origin": "https://elsewhere.example"})
    assert response["Access-Control-Allow-Origin"] == "*"


def test_every_listed_context_is_served_and_deleted_by_its_local_id(api):
    response = api.post("/jsonldContexts", {"@context": {"speed": "https://example.org/speed"}})
    assert response.status_code == 201
    listed = api.get("/jsonldContexts", details="true").json()
    local_ids = [item["localId"] for item in listed]
    assert len(set(local_ids)) == len(local_ids)
    core = next(item for item in listed if item["URL"] == ld.CORE_URL)
    served = api.get("/jsonldContexts/" + core["localId"])
    assert served.json()["@context"]["Property"] == "ngsi-ld:Property"
    assert api.delete("/jsonldContexts/" + core["localId"]).status_code == 400
    hosted = next(item for item in listed if item["kind"] == "Hosted")
    assert api.get("/jsonldContexts/" + hosted["localId"]).status_code == 200
    assert api.delete("/jsonldContexts/" + hosted["localId"]).status_code == 204
    assert not JsonLdContext.objects.exists()


def test_a_cached_context_is_reloaded_and_a_hosted_one_is_not(api, monkeypatch):
    url = "https://example.org/ctx.jsonld"
    served = [{"@context": {"speed": "https://example.org/speed"}}]
    monkeypatch.setattr(ld, "remote_fetch", lambda requested: served[-1])
    link = f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"'
    api.post(
        "/entities", {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": 1}, headers={"Link": link}
    )
    served.append({"@context": {"speed": "https://example.org/velocity"}})
    assert api.delete("/jsonldContexts/" + url + "?reload=true").status_code == 204
    assert JsonLdContext.objects.get(url=url).body == served[-1]

    hosted = api.post("/jsonldContexts", {"@context": {"a": "https://example.org/a"}})
    context_id = hosted["Location"].rsplit("/", 1)[1]
    refused = api.delete(f"/jsonldContexts/{context_id}?reload=true")
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("reload:")

    def unreachable(requested):
        raise OSError(requested)

    monkeypatch.setattr(ld, "remote_fetch", unreachable)
    gone = api.delete("/jsonldContexts/" + url + "?reload=true")
    assert gone.status_code == 503
    assert gone.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable"
    assert JsonLdContext.objects.filter(url=url).exists()


SPEED = {"speed": "https://example.org/speed"}


def subscribe_with(api, context):
    body = {
        "id": "urn:ngsi-ld:Subscription:implicit",
        "type": "Subscription",
        "entities": [{"type": "Car"}],
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}},
        "@context": context,
    }
    response = api.post("/subscriptions", body, content_type="application/ld+json")
    assert response.status_code == 201, response.content
    return api.get("/subscriptions/urn:ngsi-ld:Subscription:implicit").json()


def test_a_subscription_with_a_list_of_contexts_makes_an_implicitly_created_one(api):
    context = [SPEED, ld.CORE_URL]
    subscription = subscribe_with(api, context)
    [listed] = api.get("/jsonldContexts", details="true", kind="ImplicitlyCreated").json()
    assert subscription["jsonldContext"] == listed["URL"]
    assert listed["kind"] == "ImplicitlyCreated"
    assert listed["numberOfHits"] == 0
    assert listed["URL"] in api.get("/jsonldContexts").json()
    assert listed["URL"] not in api.get("/jsonldContexts", kind="Hosted").json()
    local_id = listed["localId"].removeprefix("urn:ngsi-ld:")
    assert api.get(f"/jsonldContexts/{local_id}").json() == {"@context": context}
    # The same @context again is the same implicitly created context.
    api.delete("/subscriptions/urn:ngsi-ld:Subscription:implicit")
    assert subscribe_with(api, context)["jsonldContext"] == listed["URL"]
    assert JsonLdContext.objects.count() == 1


def test_a_subscription_with_one_context_url_makes_none(api):
    subscription = subscribe_with(api, ld.CORE_URL)
    assert "jsonldContext" not in subscription
    assert not JsonLdContext.objects.exists()


def test_notifications_name_the_implicitly_created_context_in_their_link_header(api):
    from villagehub.ngsi import services
    from villagehub.ngsi.models import Subscription

    subscription = subscribe_with(api, [SPEED, ld.CORE_URL])
    headers = services._headers(
        {"uri": "http://127.0.0.1:9/notify"}, Subscription.objects.get().context
    )
    assert headers["Link"].startswith(f"<{subscription['jsonldContext']}>;")


def test_the_implicitly_created_context_can_be_used_by_its_url(api):
    url = subscribe_with(api, [SPEED, ld.CORE_URL])["jsonldContext"]
    link = f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"'
    body = {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": 3}
    assert api.post("/entities", body, headers={"Link": link}).status_code == 201
    assert "https://example.org/speed" in Entity.objects.get().attrs


def test_details_of_a_context_count_its_uses(api):
    url = subscribe_with(api, [SPEED, ld.CORE_URL])["jsonldContext"]
    local_id = url.rsplit("/", 1)[1]
    link = f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"'
    api.post("/entities", {"id": "urn:ngsi-ld:Car:1", "type": "Car"}, headers={"Link": link})
    first = api.get(f"/jsonldContexts/{local_id}", details="true")
    assert first["Content-Type"] == "application/json"
    assert "Link" not in first
    info = first.json()
    assert info["URL"] == url
    assert info["localId"] == f"urn:ngsi-ld:{local_id}"
    assert info["kind"] == "ImplicitlyCreated"
    assert info["createdAt"].endswith("Z")
    assert info["numberOfHits"] == 1
    assert info["lastUsage"].endswith("Z")
    assert api.get(f"/jsonldContexts/{local_id}", details="true").json()["numberOfHits"] == 2


def test_details_of_the_core_context(api):
    info = api.get("/jsonldContexts/" + ld.CORE_URL, details="true").json()
    assert info == {
        "URL": ld.CORE_URL,
        "localId": ld.shipped_local_id(ld.CORE_URL),
        "kind": "Cached",
    }


def test_an_implicitly_created_context_is_deleted_but_not_reloaded(api, client):
    from villagehub.communities.tests.factories import CommunityFactory

    from .conftest import Api, editor_of

    url = subscribe_with(api, [SPEED, ld.CORE_URL])["jsonldContext"]
    local_id = url.rsplit("/", 1)[1]
    refused = api.delete(f"/jsonldContexts/{local_id}?reload=true")
    assert refused.status_code == 400
    assert refused.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"
    _user, key = editor_of("other", CommunityFactory(slug="other"))
    assert Api(client, key).delete(f"/jsonldContexts/{local_id}").status_code == 403
    assert api.delete(f"/jsonldContexts/{local_id}").status_code == 204
    assert not JsonLdContext.objects.exists()
