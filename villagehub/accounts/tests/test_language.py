"""The language the hub writes to a person in: set at sign-up from the page, changed on
their own page, checked against the hub's languages, and part of their data."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from villagehub.accounts.models import Profile
from villagehub.accounts.overview import person_data
from villagehub.accounts.selectors import language_of
from villagehub.accounts.services import account_language_set, person_erase
from villagehub.accounts.tests.factories import ProfileFactory, UserFactory
from villagehub.accounts.tests.helpers import sign_in
from villagehub.events.tests.factories import event_make

pytestmark = pytest.mark.django_db

PASSWORD = "a long village password 42"


@pytest.mark.parametrize(("prefix", "language"), [("", "en"), ("/lv", "lv"), ("/sv", "sv")])
def test_signing_up_keeps_the_language_of_the_page(client, prefix, language):
    response = client.post(
        f"{prefix}/accounts/signup/",
        {
            "email": "aino@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302
    assert Profile.objects.get(user__email="aino@example.org").language == language


def test_a_person_changes_the_language_of_their_e_mails_on_their_page(client):
    user = UserFactory()
    sign_in(client, user)
    assert language_of(user) == "en"
    assert 'href="/accounts/language/"' in client.get("/accounts/my-data/").content.decode()
    form = client.get("/accounts/language/").content.decode()
    assert '<option value="lv">latviešu</option>' in form
    response = client.post("/accounts/language/", {"language": "lv"})
    assert response.status_code == 302
    assert language_of(user) == "lv"
    assert "latviešu — " in client.get("/accounts/my-data/").content.decode()


def test_a_language_the_hub_does_not_speak_is_refused_by_name(client):
    user = ProfileFactory(language="fi").user
    sign_in(client, user)
    response = client.post("/accounts/language/", {"language": "de"})
    assert response.status_code == 400
    assert "Select a valid choice. de is not one of the available choices." in (
        response.content.decode()
    )
    with pytest.raises(ValidationError) as refused:
        account_language_set(user=user, language="de")
    assert refused.value.message_dict == {
        "language": ["“de” is not one of the hub's languages (en, sv, lv, fr, fi, pt, da, sl)."]
    }
    assert language_of(user) == "fi"


def test_the_language_is_in_the_persons_data_and_goes_with_the_account():
    user = ProfileFactory(language="sl").user
    assert person_data(email=user.email, user=user)["account"]["language"] == "sl"
    person_erase(email=user.email, user=user)
    assert not Profile.objects.exists()
    assert not User.objects.exists()


def test_a_registration_form_proposes_the_persons_language_else_the_pages(client):
    event = event_make()
    page = client.get(f"/fr/events/{event.slug}/register/").content.decode()
    assert '<option value="fr" selected>' in page
    sign_in(client, ProfileFactory(language="da").user)
    page = client.get(f"/fr/events/{event.slug}/register/").content.decode()
    assert '<option value="da" selected>' in page
    assert '<option value="fr" selected>' not in page


def test_the_accounts_pages_are_translated(client):
    """The app's own strings are in the hub's catalogue: its pages read in Latvian."""
    client.force_login(UserFactory(username="ilze"))
    my_data = client.get("/lv/accounts/my-data/").content.decode()
    assert "<h1>Mani dati</h1>" in my_data
    assert "Lejupielādēt visus manus datus (JSON)" in my_data
    tokens = client.get("/lv/accounts/api-tokens/").content.decode()
    assert "<h1>API pilnvaras</h1>" in tokens
    assert "Pilnvaras nosaukums" in tokens and "Izveidot pilnvaru</button>" in tokens
