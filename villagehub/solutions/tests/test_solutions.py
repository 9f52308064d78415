import pytest
from django.core.exceptions import ValidationError

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.organisations.models import Organisation
from villagehub.organisations.services import organisation_create
from villagehub.solutions import services
from villagehub.solutions.models import ReferenceInstallation, Solution
from villagehub.solutions.selectors import solution_list

from .factories import provider, solution

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Goat collar sensors",
    "summary": "LoRaWAN collars that tell where the goats are.",
    "description": "",
    "language": "en",
    "themes": ["agriculture-iot"],
    "trl": "7",
    "price_min": "200",
    "price_max": "900",
    "price_model": "subscription",
    "languages": "en lv",
    "countries": "lv se",
    "funding_sources": [],
}


@pytest.fixture
def world():
    fibre, other = provider("Fibre Co"), provider("Other Co")
    network = NetworkFactory()
    return {
        "fibre": fibre,
        "other": other,
        "editor": person("editor", organisation_editor=fibre),
        "other_editor": person("other_editor", organisation_editor=other),
        "coordinator": person("coordinator", coordinator=network),
        "participant": person("participant"),
    }


def test_a_provider_proposes_a_solution_and_a_coordinator_publishes_it(client, world):
    sign_in(client, world["editor"])
    response = client.post("/solutions/new/fibre-co/", {**FORM, "submit": "1"})
    assert response.status_code == 302
    made = Solution.objects.get()
    assert (made.status, made.provider, made.trl) == ("submitted", world["fibre"], 7)
    assert (made.languages, made.countries) == ("en lv", "LV SE")
    assert [t.slug for t in made.themes.all()] == ["agriculture-iot"]
    assert client.get(f"/solutions/{made.slug}/").status_code == 404

    sign_in(client, world["coordinator"])
    response = client.post(f"/solutions/{made.slug}/review/", {"action": "publish"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == "published"
    assert made.reviewed_by == world["coordinator"]
    assert made.published_at is not None
    page = client.get(f"/solutions/{made.slug}/")
    assert page.status_code == 200
    assert "Goat collar sensors" in page.content.decode()


def test_a_coordinator_returns_a_solution_with_a_comment_and_the_provider_sees_it(client, world):
    made = solution(provider=world["fibre"], published=False)
    services.solution_submit(solution=made)
    sign_in(client, world["coordinator"])
    client.post(f"/solutions/{made.slug}/review/", {"action": "return", "comment": "Add a price."})
    made.refresh_from_db()
    assert (made.status, made.review_comment) == ("returned", "Add a price.")
    sign_in(client, world["editor"])
    assert "Add a price." in client.get(f"/solutions/{made.slug}/edit/").content.decode()


def test_a_provider_edits_only_its_own_solutions(client, world):
    theirs = solution(provider=world["other"], name="Other kit")
    sign_in(client, world["editor"])
    assert client.get(f"/solutions/{theirs.slug}/edit/").status_code == 404
    assert client.post(f"/solutions/{theirs.slug}/edit/", FORM).status_code == 404
    assert client.post(f"/solutions/{theirs.slug}/submit/").status_code == 404
    assert client.get(f"/solutions/{theirs.slug}/references/").status_code == 404
    assert client.get("/solutions/new/other-co/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Other kit"


def test_only_reviewers_review(client, world):
    made = solution(provider=world["fibre"], published=False)
    services.solution_submit(solution=made)
    for who in ("editor", "participant"):
        sign_in(client, world[who])
        response = client.post(f"/solutions/{made.slug}/review/", {"action": "publish"})
        assert response.status_code == 404
    made.refresh_from_db()
    assert made.status == "submitted"


def test_an_edit_of_a_published_solution_waits_for_review_again(world):
    made = solution(provider=world["fibre"])
    services.solution_update(solution=made, name="Village fibre kit 2", summary="New.", trl=9)
    made.refresh_from_db()
    assert (made.status, made.name, made.trl) == ("draft", "Village fibre kit 2", 9)
    assert list(solution_list(filters={})) == []


def test_only_solution_providers_offer_solutions(world):
    ngo = organisation_create(name="An NGO", kind=Organisation.Kind.NGO)
    with pytest.raises(ValidationError) as error:
        services.solution_create(provider=ngo, name="X", summary="Y", trl=5)
    assert list(error.value.message_dict) == ["provider"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"trl": 10}, "trl"),
        ({"trl": 0}, "trl"),
        ({"languages": "en xx"}, "languages"),
        ({"countries": "LV ZZ"}, "countries"),
        ({"price_min": 500, "price_max": 100}, "price_max"),
    ],
)
def test_invalid_solutions_are_refused_naming_the_field(world, fields, field):
    values = {"name": "X", "summary": "Y", "trl": 5, **fields}
    with pytest.raises(ValidationError) as error:
        services.solution_create(provider=world["fibre"], **values)
    assert list(error.value.message_dict) == [field]
    assert Solution.objects.count() == 0


def test_the_form_names_the_bad_field_and_answers_400(client, world):
    sign_in(client, world["editor"])
    response = client.post("/solutions/new/fibre-co/", {**FORM, "countries": "LV ZZ"})
    assert response.status_code == 400
    assert "Unknown country codes: ZZ." in response.content.decode()


def test_a_reference_contact_is_named_only_with_consent(client, world):
    made = solution(provider=world["fibre"])
    town = CommunityFactory(population=12000)
    with pytest.raises(ValidationError) as error:
        services.reference_installation_add(
            solution=made, community=town, year=2024, contact_name="Anna Bērziņa"
        )
    assert list(error.value.message_dict) == ["contact_name"]
    sign_in(client, world["editor"])
    response = client.post(
        f"/solutions/{made.slug}/references/",
        {"community": town.slug, "year": "2024", "achieved": "All farms connected.",
         "contact_name": "Anna Bērziņa", "contact_consent": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    reference = ReferenceInstallation.objects.get()
    assert (reference.community, reference.contact_name) == (town, "Anna Bērziņa")
    page = client.get(f"/solutions/{made.slug}/").content.decode()
    assert "contact: Anna Bērziņa" in page
    assert "All farms connected." in page


def test_the_list_filters_by_theme_trl_country_language_and_text(client, world):
    fibre = solution(
        provider=world["fibre"], languages="lv en", countries="LV", trl=8,
        description="Optical fibre to every farm.",
    )  # fmt: skip
    goats = solution(
        provider=world["other"], name="Goat collars", summary="Sensors for goats.",
        themes=("agriculture-iot",), languages="sv", countries="SE", trl=5,
    )  # fmt: skip
    solution(provider=world["other"], name="Unpublished", published=False)

    def names(query):
        response = client.get(f"/solutions/{query}")
        assert response.status_code == 200
        return [s.name for s in response.context["page"].object_list]

    assert names("") == ["Goat collars", "Village fibre kit"]
    assert names("?theme=broadband") == ["Village fibre kit"]
    assert names("?trl=6") == ["Village fibre kit"]
    assert names("?country=se") == ["Goat collars"]
    assert names("?language=lv") == ["Village fibre kit"]
    assert names("?q=farms") == ["Village fibre kit"]
    # A theme's label in another language finds the solutions tagged with it.
    assert names("?q=platjoslas") == ["Village fibre kit"]
    assert names("?q=goat") == ["Goat collars"]
    assert fibre.pk != goats.pk
    bad = client.get("/solutions/?trl=12")
    assert bad.status_code == 200
    assert len(bad.context["problems"]) == 1


def test_the_list_reads_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    for n in range(5):
        solution(provider=world["fibre"], name=f"Kit {n}")
    client.get("/solutions/")
    with django_assert_num_queries(4):
        client.get("/solutions/")


@pytest.mark.parametrize(("prefix", "title"), [("", "Solutions"), ("/sv", "Lösningar")])
def test_the_pages_speak_the_interface_language(client, world, prefix, title):
    made = solution(provider=world["fibre"])
    page = client.get(f"{prefix}/solutions/").content.decode()
    assert f"<h1>{title}</h1>" in page
    detail = client.get(f"{prefix}{made.get_absolute_url()}").content.decode()
    assert 'lang="en"' in detail
