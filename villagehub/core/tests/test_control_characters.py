"""Text holding characters XML 1.0 forbids is refused at every way in, naming the field, and
what was stored before the rule never breaks a document the hub writes."""

import importlib
import importlib.util
from types import SimpleNamespace

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, models
from rdflib import Graph

from villagehub.accounts.services import api_token_create, role_grant
from villagehub.catalogue.services import dataset_create
from villagehub.communities.models import Community
from villagehub.communities.services import community_create
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.contributions.models import Submission
from villagehub.core.forms import StoredTextForm
from villagehub.core.text import xml_text_validate
from villagehub.events.models import Registration
from villagehub.events.tests.factories import event_make
from villagehub.interchange.services import ImportFailed, import_text
from villagehub.practices.models import Practice
from villagehub.practices.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

MESSAGE = "This text holds an invisible control character (U+001B) that cannot be stored."


def test_every_text_field_of_the_hub_refuses_forbidden_characters():
    fields = [
        (model, field)
        for model in apps.get_models()
        if model.__module__.startswith("villagehub.")
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
    ]
    assert len(fields) > 100
    assert [(m.__name__, f.name) for m, f in fields if xml_text_validate not in f.validators] == []


def _hub_forms():
    for config in apps.get_app_configs():
        for module in ("forms", "forms_signup", "selectors"):
            name = f"{config.name}.{module}"
            if config.name.startswith("villagehub.") and importlib.util.find_spec(name):
                importlib.import_module(name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(forms.Form):
        if form.__module__.startswith("villagehub.") and ".tests." not in form.__module__:
            yield form


def test_every_hub_form_that_stores_text_checks_it():
    # Filters and look-ups read what they are given and store nothing.
    lookups = {"AttendeeSearchForm", "PersonLookupForm"}
    storing = [
        f
        for f in _hub_forms()
        if not f.__name__.endswith("FilterForm") and f.__name__ not in lookups
        and any(isinstance(field, forms.CharField) for field in f.base_fields.values())
    ]  # fmt: skip
    assert len(storing) >= 9
    assert [f.__name__ for f in storing if not issubclass(f, StoredTextForm)] == []


def test_the_service_refuses_and_names_the_field():
    with pytest.raises(ValidationError) as error:
        community_create(name="Tor\x1bup", kind="village", country="DK", description="ok\x11")
    assert set(error.value.message_dict) == {"name", "description"}
    assert error.value.message_dict["name"][0].startswith(MESSAGE)
    assert not Community.objects.exists()


def test_the_registration_form_refuses_and_names_the_field(client):
    event = event_make()

    response = client.post(
        f"/events/{event.slug}/register/",
        {
            "name": "Ana\x1b Novak", "email": "ana@example.org", "language": "en",
            "organisation": "Tab\tis fine", "privacy_consent": "on",
        },
    )  # fmt: skip

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["name"]
    assert errors["name"][0].startswith(MESSAGE)
    assert not Registration.objects.exists()


def test_a_new_community_proposal_refuses_and_names_the_field(client):
    from villagehub.communities.tests.factories import NetworkFactory

    network = NetworkFactory()
    user = User.objects.create_user("ana", email="ana@example.org", password="x" * 20)
    client.force_login(user)

    response = client.post(
        "/contribute/communities/new/",
        {"name": "Torup", "kind": "village", "country": "DK", "network": network.pk,
         "description": "Bell\x07", "language": "en", "submit": "1"},
    )  # fmt: skip

    assert response.status_code in (200, 400)
    assert (
        response.context["form"]
        .errors["description"][0]
        .startswith("This text holds an invisible control character (U+0007)")
    )
    assert not Submission.objects.exists()


def test_the_api_refuses_and_names_the_field(client):
    user = User.objects.create_user("editor", email="e@example.org", password="x" * 20)
    town = CommunityFactory()
    role_grant(user=user, kind="community_editor", target=town)
    _token, key = api_token_create(user=user, name="village website")

    for body in (
        # As JSON text: a lone surrogate cannot even be put in a Python dict and encoded.
        '{"community": "COMMUNITY", "title": "Sauna\\u001b", "summary": "A sauna."}',
        '{"community": "COMMUNITY", "title": "Sauna\\ud800", "summary": "A sauna."}',
    ):
        response = client.post(
            "/api/v1/submissions", body.replace("COMMUNITY", town.slug),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )  # fmt: skip
        assert response.status_code == 400, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["title"]
    assert not Submission.objects.exists()


def test_an_import_refuses_and_names_row_and_column():
    text = "slug,name,kind,country\r\ntorup,Torup,village,DK\r\nlohja,Loh\x11ja,town,FI\r\n"

    with pytest.raises(ImportFailed) as failed:
        import_text("communities.csv", text)

    [problem] = failed.value.problems
    assert (problem.row, problem.column) == (3, "name")
    assert problem.reason.startswith("This text holds an invisible control character (U+0011)")
    assert not Community.objects.exists()


def test_the_back_office_refuses_and_names_the_field(admin_client):
    response = admin_client.post(
        "/admin/communities/network/add/", {"slug": "n", "name": "Net\x1bwork", "kind": "regional"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"][0].startswith(MESSAGE)


def test_the_rdf_catalogue_stays_well_formed_with_text_stored_before(client):
    community = CommunityFactory(slug="raudanmaa", name="Raudanmaa", country="FI")
    dataset = dataset_create(
        title="Broadband", description="Households.", language="en", licence="CC0",
        publisher_community=community, keywords=["fibre"], spatial_communities=[community],
    )  # fmt: skip
    type(dataset).objects.filter(pk=dataset.pk).update(
        title="Broad\x1bband", description="House\x01holds\x0c.", keywords=["fi\x11bre"]
    )
    Community.objects.filter(pk=community.pk).update(name="Raudan\x1bmaa")

    response = client.get("/catalog.rdf")

    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="xml")
    texts = {str(o) for o in graph.objects()}
    assert {"Broadband", "Households.", "fibre", "Raudanmaa"} <= texts


def test_the_migration_cleans_what_was_stored_before():
    migration = importlib.import_module(
        "villagehub.core.migrations.0004_stored_text_without_control_characters"
    )
    practice = PracticeFactory(title="Torup Ting", translations={"sv": {"title": "Bystämma"}})
    clean = PracticeFactory(title="Lohja", summary="Tab\tand\nline")
    nul = "" if connection.vendor == "postgresql" else "\x00"
    Practice.objects.filter(pk=practice.pk).update(
        title="Torup\x1b Ting", summary=f"Nul{nul} bell\x07 \ufffe.\tok",
        translations={"sv": {"title": "By\x11stämma"}},
    )  # fmt: skip
    before = Practice.objects.get(pk=clean.pk).updated_at

    migration.clean_stored_text(apps, SimpleNamespace(connection=connection))

    practice.refresh_from_db()
    assert (practice.title, practice.summary) == ("Torup Ting", "Nul bell .\tok")
    assert practice.translations == {"sv": {"title": "Bystämma"}}
    clean.refresh_from_db()
    assert (clean.summary, clean.updated_at) == ("Tab\tand\nline", before)


def test_the_feed_answers_in_every_language_with_text_stored_before(client, settings):
    practice = PracticeFactory(title="Torup Ting")
    Practice.objects.filter(pk=practice.pk).update(summary="Escape\x1b")

    for code, _name in settings.LANGUAGES:
        prefix = "" if code == "en" else f"/{code}"
        response = client.get(f"{prefix}/feeds/practices.atom")
        assert response.status_code == 200, code
        assert b"Escape</summary>" in response.content


def test_the_refusal_speaks_the_visitor_language(client):
    event = event_make()

    response = client.post(
        f"/sv/events/{event.slug}/register/",
        {"name": "Ana\x1b Novak", "email": "ana@example.org", "language": "sv",
         "privacy_consent": "on"},
    )  # fmt: skip

    assert response.context["form"].errors["name"] == [
        "Texten innehåller ett osynligt styrtecken (U+001B) som inte kan sparas. "
        "Ta bort det och försök igen."
    ]
