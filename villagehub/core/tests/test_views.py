import pytest
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import override_settings

PUBLIC_PAGES = [
    "/",
    "/communities/",
    "/communities/torup/",
    "/networks/",
    "/networks/smart-little-village/",
    "/countries/",
    "/countries/lv/",
    "/practices/",
    "/practices/torup-ting/",
    "/organisations/",
    "/organisations/jozef-stefan-institute/",
]


@pytest.fixture
def demo(db):
    call_command("demo", no_migrate=True)


@pytest.mark.parametrize("prefix", ["", "/sv", "/sl"])
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_renders_with_one_h1_and_landmarks(client, demo, prefix, url):
    response = client.get(prefix + url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<nav" in html
    assert "<footer" in html
    assert len(response.content) < 60_000


def test_home_page_shows_numbers_and_latest_practices(client, demo):
    response = client.get("/")
    numbers = {str(label): value for value, label in response.context["numbers"]}
    assert numbers == {
        "communities": 5,
        "practices": 12,
        "countries": 5,
        "organisations": 7,
        "networks": 6,
        "country factsheet": 1,
    }
    assert len(response.context["latest_practices"]) == 6


@override_settings(HUB_NETWORK="smart-little-village", HUB_NAME="Smart Little Village hub")
def test_home_page_opens_with_the_network_running_the_hub(client, demo):
    response = client.get("/")
    assert b"Smart Little Village hub" in response.content
    assert b"Non-profit organisation started in Sk" in response.content


def test_organisation_list_filters_by_kind(client, demo):
    response = client.get("/organisations/?kind=research")
    assert [o.slug for o in response.context["page"].object_list] == ["jozef-stefan-institute"]


def test_organisation_list_reports_unknown_kind(client, demo):
    response = client.get("/organisations/?kind=pirates")
    assert response.status_code == 200
    assert len(response.context["problems"]) == 1
    assert len(response.context["page"].object_list) == 7


def test_organisation_page_shows_the_networks_it_runs(client, demo):
    response = client.get("/organisations/jozef-stefan-institute/")
    assert [n.slug for n in response.context["operated"]] == ["srip-smart-cities-and-communities"]


def test_network_page_shows_what_the_seed_says(client, demo):
    response = client.get("/networks/smart-little-village/")
    network = response.context["network"]
    assert (network.founded, network.region, network.country.code) == (2017, "Skåne", "SE")
    assert (network.target_population_min, network.target_population_max) == (5000, 50000)
    assert [g.number for g in network.goals.all()] == [3, 8, 9, 11]


@pytest.mark.parametrize(
    "url", ["/practices/nope/", "/organisations/nope/", "/networks/nope/", "/sv/communities/x/"]
)
def test_unknown_slugs_are_helpful_404s(client, demo, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b'href="' in response.content


def test_demo_loads_twice_without_duplicates(demo):
    from villagehub.communities.models import Community, Representative
    from villagehub.practices.models import Practice

    before = (Community.objects.count(), Practice.objects.count(), Representative.objects.count())
    call_command("demo", no_migrate=True)
    after = (Community.objects.count(), Practice.objects.count(), Representative.objects.count())
    assert before == after == (5, 12, 4)


@pytest.mark.parametrize(
    ("page", "language", "target"),
    [
        ("/practices/", "sv", "/sv/practices/"),
        ("/sv/networks/smart-little-village/", "lv", "/lv/networks/smart-little-village/"),
        ("/lv/communities/?country=dk", "en", "/communities/?country=dk"),
    ],
)
def test_language_switcher_keeps_the_visitor_on_the_same_page(client, demo, page, language, target):
    response = client.post("/i18n/setlang/", {"language": language, "next": page})
    assert response.status_code == 302
    assert response["Location"] == target


def test_language_switcher_refuses_foreign_addresses(client, demo):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "https://evil.example/"})
    assert response["Location"] == "/sv/"


@pytest.mark.parametrize(
    "asset",
    [
        "css/hub.css",
        "js/map.js",
        "vendor/leaflet-1.9.4/leaflet.js",
        "img/europe.svg",
        "geo/europe-outline.geojson",
    ],
)
def test_static_assets_are_found_for_collectstatic(asset):
    assert finders.find(asset) is not None


def test_static_files_collect_for_production(tmp_path, settings):
    """Production serves compressed, content-hashed files; collecting them must succeed."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "css/hub.css" in manifest
    assert list(tmp_path.glob("css/hub.*.css.gz"))


@pytest.mark.django_db
def test_privacy_notice_shows_its_versions(client, settings, tmp_path):
    page = client.get("/privacy/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Version 2026-11-23" in text and "(in force)" in text
    assert client.get("/privacy/2026-11-23/").status_code == 200
    assert client.get("/privacy/1999-01-01/").status_code == 404


def test_favicon_is_served_from_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.ico"
    assert finders.find("img/favicon.ico").endswith("villagehub/static/img/favicon.ico")


@pytest.mark.parametrize(
    ("hub_name", "footer"),
    [
        ("Village Hub", "Village Hub is open-source software for networks of smart villages."),
        ("Smart Rural Hub", "Smart Rural Hub runs on Village Hub, open-source software"),
    ],
)
def test_footer_names_the_software_without_repeating_itself(client, db, settings, hub_name, footer):
    settings.HUB_NAME = hub_name
    html = client.get("/privacy/").content.decode()
    assert footer in html
    assert "Village Hub runs on Village Hub" not in html


def test_messages_after_an_action_carry_their_level_for_styling(rf):
    request = rf.get("/")
    html = render_to_string(
        "base.html",
        {"messages": [Message(40, "Nothing was sent."), Message(25, "Saved.")]},
        request=request,
    )
    assert '<p class="message error">Nothing was sent.</p>' in html
    assert '<p class="message success">Saved.</p>' in html
