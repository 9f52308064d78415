"""The main journeys through the hub in a real browser, with and without JavaScript,
and an accessibility, weight and structure check of every public page."""

import re
from io import BytesIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from villagehub.communities.models import Community
from villagehub.communities.services import community_update
from villagehub.countries.services import factsheet_upsert
from villagehub.news.tests.factories import NewsItemFactory
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_create, practice_update
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies import services as strategy_services
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.browser

both_with_and_without_javascript = pytest.mark.parametrize(
    "javascript", [True, False], ids=["js", "no-js"]
)

PUBLIC_PAGES = [
    "/",
    "/communities/",
    "/communities/?sdg=11",
    "/communities/torup/",
    "/countries/",
    "/countries/lv/",
    "/practices/",
    "/practices/?theme=broadband",
    "/practices/?sdg=3&size=5000-50000",
    "/practices/torup-ting/",
    "/organisations/",
    "/organisations/latvian-cap-network/",
    "/networks/",
    "/networks/smart-little-village/",
    "/events/",
    "/events/smart-towns-central-eastern-europe-workshop-2017/",
    "/events/eu-smart-city-and-communities-cluster-meeting-2/",
    "/events/series/smart-rural-communities-cafes/",
    "/news/",
    "/news/subscribe/",
    "/solutions/",
    "/indicators/",
    "/indicators/broadband-coverage/",
    "/networks/smart-little-village/actions/",
    "/events/?when=upcoming",
    "/events/sample-smart-cafe/",
    "/events/sample-smart-cafe/register/",
    "/countries/?c=lv&c=se",
    "/search/",
    "/search/?q=village",
    "/search/?q=vilage",
    "/privacy/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/api/v1/docs",
    "/catalogue/",
    "/catalogue/hub-communities/",
]
NOT_FOUND_PAGE = "/communities/no-such-village/"
MAX_PAGE_BYTES = 60 * 1024
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def main_navigation(page):
    return page.get_by_role("navigation", name="Main")


def switch_language(page, name):
    """The switcher's label and button are themselves translated, so find them by id."""
    switcher = page.locator("form.lang")
    switcher.locator("#language-switcher").select_option(label=name)
    switcher.locator("button[type=submit]").click()


def described_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            lines.append(f"    at {target}: {node['html'][:120]}")
        lines.append(f"    see {violation['helpUrl']}")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    """axe on the page as it stands. axe runs in the page's JavaScript, so the journeys scan
    in their JavaScript-on variant the pages only a POST reaches (a form sent, its errors,
    what the person sees next), which a list of addresses to visit cannot."""
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, (
        f"axe found problems on {where}:\n" + described_violations(results.response["violations"])
    )


@both_with_and_without_javascript
def test_visitor_filters_practices_by_theme_and_opens_one(page, site):
    page.goto("/")
    main_navigation(page).get_by_role("link", name="Practices").click()
    expect(page).to_have_url(f"{site}/practices/")

    page.get_by_label("Broadband and fibre").check()
    page.get_by_role("button", name="Show practices").click()

    expect(page).to_have_url(f"{site}/practices/?q=&country=&theme=broadband&sdg=&size=")
    expect(page.locator(".count")).to_have_text("1 practice")
    expect(page.get_by_label("Broadband and fibre")).to_be_checked()
    page.get_by_role("link", name="Village cooperative and optical fibre network").click()

    expect(page).to_have_url(f"{site}/practices/raudanmaa-village-cooperative/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Village cooperative and optical fibre network"
    )
    expect(page.locator("p.meta")).to_have_text("Raudanmaa · Finland")


@both_with_and_without_javascript
def test_visitor_meets_torup_its_practices_and_representative(page, site):
    page.goto("/")
    main_navigation(page).get_by_role("link", name="Communities").click()
    expect(page).to_have_url(f"{site}/communities/")
    page.get_by_role("main").get_by_role("link", name="Torup", exact=True).first.click()

    expect(page).to_have_url(f"{site}/communities/torup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Torup")
    representatives = page.get_by_role("region", name="Representatives")
    expect(representatives.get_by_role("listitem")).to_have_text(
        ["Peter Plant — Host of the 1st Smart Communities Café"]
    )
    practices = page.get_by_role("region", name="Practices")
    expect(practices.get_by_role("heading", level=3)).to_have_text(
        ["Torup Ting", "Torup community fund", "Voluntary work in Torup"]
    )
    practices.get_by_role("link", name="Torup Ting").click()
    expect(page).to_have_url(f"{site}/practices/torup-ting/")


@both_with_and_without_javascript
def test_visitor_compares_countries_and_reads_the_latvian_factsheet(page, site):
    page.goto("/")
    main_navigation(page).get_by_role("link", name="Countries").click()
    expect(page).to_have_url(f"{site}/countries/")
    comparison = page.get_by_role("table", name="Factsheets compared")
    expect(comparison.get_by_role("row", name="Is digital a key feature?")).to_have_text(
        "Is digital a key feature?No"
    )
    expect(comparison.get_by_role("row", name="National Smart Villages taskforce")).to_have_text(
        "National Smart Villages taskforceYes"
    )
    comparison.get_by_role("link", name="Latvia").click()

    expect(page).to_have_url(f"{site}/countries/lv/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Smart Villages in Latvia")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Digital transformation is seen as a tool, not an end in itself.")
    expect(main).to_contain_text("Managing authority: Ministry of Agriculture of the Republic")
    expect(
        page.get_by_role("table", name="CAP support per programming period").get_by_role("row")
    ).to_have_text(
        [
            "PeriodSupportMeasures",
            re.compile(r"^2014–2022Specific Smart Villages intervention"),
            re.compile(r"^2023–2027Indirect support, no specific intervention"),
        ]
    )
    expect(main).to_contain_text("A national Smart Villages taskforce has been set up")


@both_with_and_without_javascript
def test_visitor_reads_a_network_in_english_swedish_and_latvian(page, site):
    page.goto("/networks/smart-little-village/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main div[lang=en]")).to_contain_text(
        "Non-profit organisation started in Skåne in 2017"
    )
    expect(page.locator("p.note")).to_have_count(0)
    description = page.locator("main div[lang=sv]")

    switch_language(page, "svenska")

    expect(page).to_have_url(f"{site}/sv/networks/smart-little-village/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("#language-switcher")).to_have_value("sv")
    expect(page.locator("p.meta")).to_contain_text("Sverige")
    expect(description).to_contain_text("Idéburen organisation, startad i Skåne 2017")
    expect(page.locator("p.note")).to_have_count(0)

    switch_language(page, "latviešu")

    expect(page).to_have_url(f"{site}/lv/networks/smart-little-village/")
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(description).to_contain_text("Idéburen organisation, startad i Skåne 2017")
    expect(page.locator("p.note")).to_have_text(re.compile(r"\(svenska\)\.$"))


@both_with_and_without_javascript
def test_unknown_community_shows_a_not_found_page_with_ways_on(page, site):
    response = page.goto(NOT_FOUND_PAGE)

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    ways_on = page.get_by_role("main").get_by_role("link")
    expect(ways_on).to_have_text(
        ["Communities", "Practices", "Countries", "Organisations", "Home page"]
    )
    ways_on.filter(has_text="Practices").click()
    expect(page).to_have_url(f"{site}/practices/")


@both_with_and_without_javascript
def test_keyboard_user_sees_the_skip_link_and_its_focus_outline(page, site):
    page.goto("/practices/")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).not_to_be_in_viewport()

    page.keyboard.press("Tab")

    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    expect(skip_link).to_have_css("outline-style", "solid")
    expect(skip_link).to_have_css("outline-width", "3px")

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/practices/#main")
    expect(page.get_by_role("main")).to_be_focused()


@pytest.mark.browser
def test_visitor_opens_the_interactive_map_and_follows_a_marker(page, site, settings):
    # Tiles come from the hub itself here (and answer 404): no test touches the internet.
    settings.MAP_TILES_URL = "/static/no-tiles/{z}/{x}/{y}.png"
    page.goto("/communities/")
    expect(page.locator("#static-map")).to_be_visible()

    page.get_by_role("button", name="Show an interactive map").click()

    markers = page.locator("#interactive-map .leaflet-marker-icon")
    expect(markers).to_have_count(4)
    expect(page.locator("#static-map")).to_be_hidden()
    page.locator('#interactive-map .leaflet-marker-icon[title="Penela"]').click()
    page.locator(".leaflet-popup-content").get_by_role("link", name="Penela").click()
    expect(page).to_have_url(f"{site}/communities/penela/")


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [False], ids=["no-js"])
def test_without_javascript_the_static_map_and_list_stand_alone(page, javascript):
    page.goto("/communities/")
    expect(page.locator("#static-map svg circle")).to_have_count(4)
    expect(page.get_by_role("button", name="Show an interactive map")).to_be_hidden()
    expect(page.locator("table tbody tr")).to_have_count(5)


OVERFLOWING = """() => Array.from(document.querySelectorAll('body *')).filter(element => {
  const parent = element.parentElement;
  if (!parent || element.closest('.scroll, svg, .visually-hidden, .skip')) return false;
  const box = element.getBoundingClientRect(), frame = parent.getBoundingClientRect();
  return box.width > 0 && (box.right > frame.right + 1 || box.right > innerWidth + 1);
}).slice(0, 5).map(element => element.outerHTML.slice(0, 100))"""


@pytest.fixture
def every_public_page(site, settings, tmp_path):
    """The public pages of the demo, and those of the records the demo does not carry: a
    news item, a solution, a community's and a network's strategy with a need, and
    pictures on a community and a practice (so that cards with and without one are seen)."""
    settings.MEDIA_ROOT = tmp_path
    torup = Community.objects.get(slug="torup")
    community_update(community=torup, image=jpeg("torup.jpg"), image_alt="Torup's village hall")
    practice_update(
        practice=Practice.objects.get(slug="torup-ting"),
        image=jpeg("ting.jpg"),
        image_alt="Villagers meet at the Ting",
    )
    network = torup.networks.order_by("slug").first()
    NewsItemFactory(slug="fibre", title="Fibre for every farm", summary="All farms are online.",
                    body="## How\n\n- dig\n- connect", network=network)  # fmt: skip
    strategy = strategy_services.strategy_create(
        community=torup, title="Torup 2030", language="da", vision="En levende landsby."
    )
    strategy_services.action_add(strategy=strategy, title="Fiber til alle")
    need = strategy_services.need_add(strategy=strategy, title="Bredbånd til gårdene",
                                      description="Vi har brug for fiber til alle gårde.",
                                      themes=Theme.objects.filter(slug="broadband"))  # fmt: skip
    strategy_services.strategy_submit(strategy=strategy)
    strategy_services.strategy_publish(strategy=strategy, by=None)
    taskforce = strategy_services.strategy_create(
        network=network, title="Netværkets strategi", language="da", vision="Levende landsbyer."
    )
    strategy_services.action_add(strategy=taskforce, title="Mentorer til landsbyerne")
    strategy_services.strategy_submit(strategy=taskforce)
    strategy_services.strategy_publish(strategy=taskforce, by=None)
    kit = solution(provider=provider("Fibre Co", country="DK"), countries="DK", languages="en da")
    return [
        *PUBLIC_PAGES,
        NOT_FOUND_PAGE,
        "/news/fibre/",
        kit.get_absolute_url(),
        "/communities/torup/strategy/",
        need.get_absolute_url(),
        f"/networks/{network.slug}/",
        f"/networks/{network.slug}/strategy/",
        f"/networks/{network.slug}/actions/",
    ]


def text_weight(responses) -> int:
    """The bytes of a page without its images: the document, style sheets and scripts."""
    return sum(
        len(response.body())
        for response in responses
        if response.request.resource_type in {"document", "stylesheet", "script"}
    )


def jpeg(name: str) -> ContentFile:
    buffer = BytesIO()
    Image.new("RGB", (1600, 900), (30, 120, 60)).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language_prefix", ["", "/sv", "/lv"], ids=["en", "sv", "lv"])
def test_every_public_page_fits_its_width_is_light_and_passes_axe(
    page, every_public_page, site, language_prefix, width
):
    """Nothing spills out of its box or makes the page scroll sideways, on a desktop and on a
    phone, in the languages with the longest words; the page, its style sheet and scripts
    stay under 60 KB; it has one heading and one main landmark; axe finds nothing at either
    width."""
    page.set_viewport_size({"width": width, "height": 844})
    responses = []
    page.on("response", lambda response: responses.append(response))
    problems = []
    for path in every_public_page:
        responses.clear()
        page.goto(language_prefix + path)
        if overflowing := page.evaluate(OVERFLOWING):
            problems.append(f"{language_prefix}{path}: {overflowing}")
        if page.evaluate("document.documentElement.scrollWidth") > width:
            problems.append(f"{language_prefix}{path}: the page scrolls sideways")
        if (weight := text_weight(responses)) > MAX_PAGE_BYTES:
            problems.append(f"{language_prefix}{path}: {weight} bytes without images")
        if not any(r.url == f"{site}/static/css/hub.css" and r.ok for r in responses):
            problems.append(f"{language_prefix}{path}: no style sheet")
        if page.locator("h1").count() != 1 or page.get_by_role("main").count() != 1:
            problems.append(f"{language_prefix}{path}: not one heading and one main landmark")
        results = Axe().run(page, options=AXE_OPTIONS)
        if results.violations_count:
            problems.append(
                f"{language_prefix}{path}:\n" + described_violations(results.response["violations"])
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language_prefix", ["", "/lv"], ids=["en", "lv"])
def test_on_a_phone_the_header_leaves_most_of_the_screen_to_the_page(page, site, language_prefix):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(language_prefix + "/communities/")
    assert page.locator("header.site").bounding_box()["height"] < 844 / 4


EU_COUNTRIES = "at be bg cy cz de dk ee es fi fr gr hr hu ie it lt lu lv mt nl pl pt ro se si sk"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_comparison_of_all_27_countries_scrolls_within_its_box_and_keeps_the_questions(
    page, site, width
):
    for code in EU_COUNTRIES.split():
        factsheet_upsert(country=code, digital_key_feature="yes", taskforce=False)
    page.set_viewport_size({"width": width, "height": 844})
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/lv/countries/")
    assert text_weight(responses) <= MAX_PAGE_BYTES
    table = page.locator("table.compare")
    expect(table.locator("thead th")).to_have_count(28)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    question = table.locator("tbody th").first
    before = question.bounding_box()["x"]
    page.locator(".scroll[role=region]").evaluate(
        "element => { element.scrollLeft = element.scrollWidth }"
    )
    # The last country comes into view; the question column stays where it was.
    expect(table.locator("thead th").last).to_be_in_viewport()
    assert question.bounding_box()["x"] == before
    # Choosing three countries compares only those.
    for code in ("mt", "at", "lv"):
        page.locator(f"#c-{code}").check()
    page.locator("form.filters button[type=submit]").click()
    expect(table.locator("thead th")).to_have_count(4)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_card_loads_the_image_size_that_fits(page, site, settings, tmp_path, width):
    """The browser picks the WebP copy the card's width needs, not the uploaded file."""
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (2400, 1200), (30, 120, 60)).save(buffer, "JPEG")
    practice_create(  # its sizes are made when it commits (tasks run at once in tests)
        title="Village sauna",
        summary="The village runs its sauna.",
        community=Community.objects.get(slug="raudanmaa"),
        image=ContentFile(buffer.getvalue(), name="sauna.jpg"),
        image_alt="The sauna by the lake",
    )
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/practices/")
    picture = page.get_by_role("img", name="The sauna by the lake")
    picture.scroll_into_view_if_needed()
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("img => img.currentSrc").endswith("-640w.webp")
    # The 640 copy, counted in CSS pixels at the slot `sizes` gives it: 24rem, or the phone.
    assert picture.evaluate("img => img.naturalWidth") == (384 if width == 1280 else 390)
    box = picture.bounding_box()
    assert round(box["width"] / box["height"]) == 2  # the card's frame, set before it loads


def test_site_search_suggests_titles_as_a_keyboard_combobox(page, site):
    page.goto("/sv/practices/")
    box = page.get_by_role("combobox", name="Sök i hubben")
    box.press_sequentially("rau", delay=30)
    options = page.get_by_role("listbox", name="Förslag").get_by_role("option")
    expect(options.first).to_contain_text("Raudanmaa")
    expect(box).to_have_attribute("aria-expanded", "true")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, described_violations(results.response["violations"])
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-suggestion-0")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/sv/(communities|practices)/raudanmaa"))


@both_with_and_without_javascript
def test_a_misspelt_search_offers_the_right_word(page, site, javascript):
    page.goto("/lv/search/?q=raudamnaa")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Vai domājāt:")
    if javascript:
        # axe runs as a script: a page without JavaScript never answers it.
        results = Axe().run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, described_violations(results.response["violations"])
    main.get_by_role("link", name="raudanmaa").click()
    expect(page).to_have_url(f"{site}/lv/search/?q=raudanmaa")
    expect(main).to_contain_text("Raudanmaa")
    expect(main).not_to_contain_text("Vai domājāt:")


@both_with_and_without_javascript
def test_site_search_form_works_with_or_without_suggestions(page, site, javascript):
    page.goto("/practices/")
    page.locator("#site-search-q").fill("raudanmaa")
    page.locator("form.site-search button[type=submit]").click()
    expect(page).to_have_url(f"{site}/search/?q=raudanmaa")
    expect(page.get_by_role("main")).to_contain_text("Raudanmaa")
    expect(page.locator("#site-search-suggestions")).to_have_count(1 if javascript else 0)
