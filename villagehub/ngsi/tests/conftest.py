import json

import pytest
from django.contrib.auth.models import User

from villagehub.accounts.services import api_token_create, role_grant
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.ngsi import ld

BASE = "/ngsi-ld/v1"
CORE_LINK = (
    f'<{ld.CORE_URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch):
    """No test fetches a context from the internet: an unknown URL is unavailable."""

    def refuse(url):
        raise OSError(url)

    monkeypatch.setattr(ld, "remote_fetch", refuse)
    ld._fetched.clear()


class Api:
    """A client of the NGSI-LD API with a token of an editor of one community."""

    def __init__(self, client, key=None):
        self.client = client
        self.key = key

    def _headers(self, headers):
        result = {}
        if self.key:
            result["HTTP_AUTHORIZATION"] = f"Bearer {self.key}"
        for name, value in (headers or {}).items():
            result["HTTP_" + name.upper().replace("-", "_")] = value
        return result

    def get(self, path, headers=None, **params):
        return self.client.get(BASE + path, params, **self._headers(headers))

    def send(self, method, path, body=None, content_type="application/json", headers=None):
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            BASE + path, data, content_type=content_type, **self._headers(headers)
        )

    def post(self, path, body, **kwargs):
        return self.send("post", path, body, **kwargs)

    def patch(self, path, body, **kwargs):
        return self.send("patch", path, body, **kwargs)

    def put(self, path, body, **kwargs):
        return self.send("put", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.send("delete", path, None, **kwargs)


def editor_of(name, community):
    user = User.objects.create_user(name, email=f"{name}@example.org", password="x" * 20)
    role_grant(user=user, kind="community_editor", target=community)
    _token, key = api_token_create(user=user, name="ngsi")
    return user, key


@pytest.fixture
def town(db):
    return CommunityFactory(slug="torup", name="Torup")


@pytest.fixture
def api(client, town):
    _user, key = editor_of("editor", town)
    return Api(client, key)


@pytest.fixture
def anonymous(client):
    return Api(client)
