"""A practice told as a case study: the services store each part, the page shows only the
parts that are filled, and related practices are found by shared themes."""

import pytest
from django.core.exceptions import ValidationError

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.models import Practice
from villagehub.practices.selectors import practices_of_community, practices_related
from villagehub.practices.services import practice_create, practice_update
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import FundingSource, Theme

pytestmark = pytest.mark.django_db

STORY = {
    "challenge": "The shop closed in 2015.",
    "approach": "Villagers formed a cooperative in 2016 and reopened the shop in 2017.",
    "involved": "120 households and the municipality.",
    "results": "The shop turns over 400,000 euros a year.",
    "lessons": "Start with a survey of what people buy.",
    "budget_range": "50k-200k",
    "volunteers": 35,
    "contact_role": "Chair of the cooperative",
    "contact_email": "shop@example.org",
    "contact_consent": True,
}


def test_practice_create_stores_every_part_of_the_story():
    leader = FundingSource.objects.get(slug="cap-leader")
    practice = practice_create(
        title="Village shop",
        summary="A cooperative runs the village shop.",
        funding_sources=[leader],
        **STORY,
    )
    practice = Practice.objects.get(pk=practice.pk)
    assert {name: getattr(practice, name) for name in STORY} == STORY
    assert list(practice.funding_sources.all()) == [leader]
    assert practice.get_budget_range_display() == "€50,000 to €200,000"


def test_practice_update_changes_the_story_and_keeps_the_rest():
    practice = practice_create(title="Village shop", summary="A shop.", **STORY)
    practice_update(practice=practice, lessons="Keep the books open.", volunteers=None)
    practice = Practice.objects.get(pk=practice.pk)
    assert (practice.lessons, practice.volunteers, practice.challenge) == (
        "Keep the books open.",
        None,
        STORY["challenge"],
    )


def test_a_contact_is_refused_without_consent_on_its_field():
    with pytest.raises(ValidationError) as error:
        practice_create(
            title="Village shop", summary="A shop.", contact_role="Chair", contact_consent=False
        )
    assert list(error.value.message_dict) == ["contact_consent"]
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("budget_range", "a lot"), ("contact_email", "not an address")]
)
def test_bad_story_values_are_refused_on_their_field(field, value):
    with pytest.raises(ValidationError) as error:
        practice_create(
            title="Village shop", summary="A shop.", contact_consent=True, **{field: value}
        )
    assert list(error.value.message_dict) == [field]


def test_the_story_fields_take_translations():
    practice = practice_create(
        title="Byabutiken",
        summary="En butik.",
        language="sv",
        challenge="Butiken stängde.",
        translations={"en": {"challenge": "The shop closed.", "lessons": "Ask first."}},
    )
    assert practice.localized("challenge", "en").text == "The shop closed."
    assert practice.localized("challenge", "fi").is_fallback is True


HEADINGS = {
    "challenge": "The challenge",
    "approach": "What was done and how",
    "involved": "Who was involved",
    "budget_range": "Resources",
    "results": "Results",
    "lessons": "What others should know",
    "contact_role": "Contact",
}


def test_the_page_shows_each_filled_part_under_its_heading(client):
    practice = practice_create(
        title="Village shop",
        summary="A shop.",
        funding_sources=[FundingSource.objects.get(slug="cap-leader")],
        **STORY,
    )
    page = client.get(practice.get_absolute_url()).content.decode()
    for heading in HEADINGS.values():
        assert f">{heading}</h2>" in page
    for name in ("challenge", "approach", "involved", "results", "lessons", "contact_role"):
        assert STORY[name] in page
    assert "<dd>€50,000 to €200,000</dd>" in page
    assert "<dd>35</dd>" in page
    assert '<a href="mailto:shop@example.org">shop@example.org</a>' in page
    # The headings come in the order the story is told.
    positions = [page.index(f">{heading}</h2>") for heading in HEADINGS.values()]
    assert positions == sorted(positions)


def test_the_page_shows_only_the_parts_that_are_filled(client):
    practice = practice_create(title="Village shop", summary="A shop.", lessons="Ask first.")
    page = client.get(practice.get_absolute_url()).content.decode()
    assert ">What others should know</h2>" in page
    for heading in [h for name, h in HEADINGS.items() if name != "lessons"]:
        assert f">{heading}</h2>" not in page
    assert "Related practices" not in page
    assert "More from this community" not in page


def test_zero_volunteers_is_shown_as_a_number(client):
    practice = practice_create(title="Village shop", summary="A shop.", volunteers=0)
    page = client.get(practice.get_absolute_url()).content.decode()
    assert ">Resources</h2>" in page
    assert "<dd>0</dd>" in page


def test_the_page_shows_the_story_in_swedish_headings(client):
    practice = practice_create(title="Village shop", summary="A shop.", challenge="Closed.")
    page = client.get(f"/sv{practice.get_absolute_url()}").content.decode()
    assert ">Utmaningen</h2>" in page


# ------------------------------------------------------------------- related practices


@pytest.fixture
def themed():
    energy, mobility, tourism = (
        Theme.objects.get(slug=s) for s in ("energy", "mobility", "tourism")
    )
    home, elsewhere = CommunityFactory(name="Hometown"), CommunityFactory(name="Elsewhere")
    practice = PracticeFactory(slug="main", community=home, themes=[energy, mobility])
    return {
        "practice": practice,
        "both": PracticeFactory(slug="both", community=elsewhere, themes=[energy, mobility]),
        "one": PracticeFactory(slug="one", community=elsewhere, themes=[mobility, tourism]),
        "none": PracticeFactory(slug="none", community=elsewhere, themes=[tourism]),
        "draft": PracticeFactory(
            slug="draft", community=elsewhere, themes=[energy], is_published=False
        ),
        "sibling": PracticeFactory(slug="sibling", community=home, themes=[energy]),
        "sibling-draft": PracticeFactory(slug="sibling-draft", community=home, is_published=False),
    }


def test_related_practices_rank_by_shared_themes_and_leave_out_drafts_and_the_community(themed):
    # "one", made after "both", shares one theme: "both", sharing two, comes first.
    related = practices_related(practice=themed["practice"])
    assert [p.slug for p in related] == ["both", "one"]
    assert [p.shared for p in related] == [2, 1]


def test_among_equals_the_practices_of_communities_of_the_same_size_come_first(themed):
    home = themed["practice"].community
    home.population, home.population_year = 900, 2024
    home.save()
    mobility = Theme.objects.get(slug="mobility")
    alike = PracticeFactory(
        slug="alike",
        community=CommunityFactory(population=1500, population_year=2024),
        themes=[mobility],
    )
    bigger = PracticeFactory(
        slug="bigger",
        community=CommunityFactory(population=30000, population_year=2024),
        themes=[mobility],
    )
    slugs = [p.slug for p in practices_related(practice=themed["practice"], limit=10)]
    # Sharing two themes beats size; among those sharing one, the village of under 2,000
    # comes before the newer practice of the town of 30,000 and the one of unknown size.
    assert slugs == ["both", alike.slug, bigger.slug, "one"]


def test_related_practices_respect_the_limit(themed):
    assert [p.slug for p in practices_related(practice=themed["practice"], limit=1)] == ["both"]


def test_a_practice_without_themes_has_no_related_practices(themed):
    alone = PracticeFactory(slug="alone")
    assert practices_related(practice=alone) == []


def test_more_from_this_community_lists_its_other_published_practices(themed):
    assert [p.slug for p in practices_of_community(practice=themed["practice"])] == ["sibling"]
    assert practices_of_community(practice=PracticeFactory(slug="x", community=None)) == []


def test_the_page_links_related_practices_and_the_community_in_a_fixed_number_of_queries(
    client, themed, django_assert_num_queries
):
    url = themed["practice"].get_absolute_url()
    client.get(url)  # warm the caches that are not per request
    # 8 for the practice and its neighbours, 1 for the events it was presented at, 2 for
    # its comments (whether they are closed, and the thread, however long).
    with django_assert_num_queries(11):
        page = client.get(url).content.decode()
    related = page[page.index(">Related practices</h2>") :]
    assert related.index('href="/practices/both/"') < related.index('href="/practices/one/"')
    assert 'href="/practices/none/"' not in page
    assert 'href="/practices/draft/"' not in page
    more = page[page.index(">More from this community</h2>") : page.index(">Related practices")]
    assert 'href="/practices/sibling/"' in more
    assert 'href="/practices/sibling-draft/"' not in page


def test_site_search_finds_a_practice_by_any_part_of_its_story(client):
    practice = practice_create(
        title="Village shop",
        summary="A shop.",
        lessons="Begin with a questionnaire.",
        translations={"sv": {"challenge": "Affären stängde."}},
    )
    for query in ("questionnaire", "stängde"):
        page = client.get(f"/search/?q={query}").content.decode()
        assert practice.get_absolute_url() in page, query
