"""A subscription's `lang` (CIM 009 v1.8, 5.2.12): its notifications show each
LanguageProperty reduced to the language asked, as a GET with `lang` shows it (4.15)."""

import pytest

from villagehub.ngsi.models import Notification

from .test_entities import ERRORS

pytestmark = pytest.mark.django_db

BUILDING = "urn:ngsi-ld:Building:L1"
STREET = {"type": "LanguageProperty", "languageMap": {"fr": "Grand Place", "nl": "Grote Markt"}}


def subscribe(api, lang, **notification):
    body = {
        "type": "Subscription",
        "entities": [{"type": "Building"}],
        "lang": lang,
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}, **notification},
    }
    return api.post("/subscriptions", body)


def notified():
    [notification] = Notification.objects.all()
    Notification.objects.all().delete()
    [entity] = notification.payload["data"]
    return entity


def create(api):
    body = {
        "id": BUILDING,
        "type": "Building",
        "street": STREET,
        "name": {"type": "Property", "value": "Halles"},
    }
    assert api.post("/entities", body).status_code == 201


def test_a_notification_shows_the_language_asked_as_a_get_does(api):
    assert subscribe(api, "nl").status_code == 201
    create(api)
    entity = notified()
    assert entity["street"] == {"type": "Property", "value": "Grote Markt", "lang": "nl"}
    assert entity["name"] == {"type": "Property", "value": "Halles"}
    assert entity == api.get(f"/entities/{BUILDING}", lang="nl").json()


def test_lang_with_preferences_in_key_values(api):
    assert subscribe(api, "de,fr;q=0.5", format="keyValues").status_code == 201
    create(api)
    assert notified()["street"] == "Grand Place"


def test_lang_applies_to_the_notification_of_an_update(api):
    create(api)
    assert subscribe(api, "fr").status_code == 201
    fragment = {
        "street": {"type": "LanguageProperty", "languageMap": {"fr": "Place", "nl": "Plein"}}
    }
    assert api.patch(f"/entities/{BUILDING}/attrs", fragment).status_code == 204
    assert notified()["street"] == {"type": "Property", "value": "Place", "lang": "fr"}


def test_lang_applies_with_show_changes(api):
    create(api)
    assert subscribe(api, "nl", showChanges=True).status_code == 201
    fragment = {
        "street": {"type": "LanguageProperty", "languageMap": {"fr": "Place", "nl": "Plein"}}
    }
    assert api.patch(f"/entities/{BUILDING}/attrs", fragment).status_code == 204
    assert notified()["street"] == {
        "type": "Property",
        "value": "Plein",
        "lang": "nl",
        "previousValue": "Grote Markt",
    }


def test_without_lang_the_whole_language_map_is_notified(api):
    body = {
        "type": "Subscription",
        "entities": [{"type": "Building"}],
        "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}},
    }
    assert api.post("/subscriptions", body).status_code == 201
    create(api)
    assert notified()["street"] == STREET


def test_the_subscription_shows_its_lang_and_a_patch_changes_it(api):
    response = subscribe(api, "nl")
    path = response["Location"].split("/ngsi-ld/v1", 1)[1]
    assert api.get(path).json()["lang"] == "nl"
    assert api.patch(path, {"lang": "fr"}).status_code == 204
    assert api.get(path).json()["lang"] == "fr"
    create(api)
    assert notified()["street"]["value"] == "Grand Place"


@pytest.mark.parametrize("lang", ["", "  ", 7, ["fr"], None])
def test_a_lang_that_is_not_a_language_text_is_bad_request(api, lang):
    response = subscribe(api, lang)
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert response.json()["detail"].startswith("lang:")


def test_a_patch_with_an_invalid_lang_is_bad_request(api):
    path = subscribe(api, "nl")["Location"].split("/ngsi-ld/v1", 1)[1]
    response = api.patch(path, {"lang": 3})
    assert response.status_code == 400
    assert response.json()["type"] == ERRORS + "BadRequestData"
    assert api.get(path).json()["lang"] == "nl"
