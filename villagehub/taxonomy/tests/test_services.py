import pytest
from django.core.exceptions import ValidationError

from villagehub.taxonomy.models import FundingSource, Theme
from villagehub.taxonomy.services import funding_source_update, theme_update, theme_upsert
from villagehub.taxonomy.tests.factories import FundingSourceFactory, ThemeFactory
from villagehub.taxonomy.vocabulary import theme_slugs

pytestmark = pytest.mark.django_db


def test_every_installation_starts_with_the_curated_themes_labelled_in_every_language():
    assert list(Theme.objects.filter(slug__in=theme_slugs()).values_list("slug", flat=True)) == (
        theme_slugs()
    )
    democracy = Theme.objects.get(slug="local-democracy")
    assert democracy.localized("name", "sv").text == "Lokal demokrati och delaktighet"
    assert democracy.localized("name", "sl").text == "Lokalna demokracija in sodelovanje"
    assert set(democracy.translations) == {
        "sv", "lv", "fr", "fi", "pt", "da", "sl",
    }  # fmt: skip


def test_theme_upsert_creates_a_theme_then_updates_the_same_row():
    made = theme_upsert(slug="village-saunas", name="Village saunas", position=40)
    again = theme_upsert(
        slug="village-saunas",
        name="Village saunas and baths",
        translations={"fi": {"name": "Saunat"}},
    )
    assert again.pk == made.pk
    assert Theme.objects.filter(slug="village-saunas").count() == 1
    stored = Theme.objects.get(slug="village-saunas")
    assert (stored.name, stored.position) == ("Village saunas and baths", 40)
    assert stored.localized("name", "fi").text == "Saunat"


def test_theme_upsert_refuses_a_theme_without_a_name_and_stores_nothing():
    with pytest.raises(ValidationError) as refused:
        theme_upsert(slug="nameless", name="")
    assert set(refused.value.message_dict) == {"name"}
    assert not Theme.objects.filter(slug="nameless").exists()


def test_theme_update_refuses_translations_of_fields_that_are_not_translated():
    theme = ThemeFactory(name="Mobility")
    with pytest.raises(ValidationError) as refused:
        theme_update(theme=theme, translations={"sv": {"slug": "rörlighet"}})
    assert set(refused.value.message_dict) == {"translations"}
    theme.refresh_from_db()
    assert theme.translations == {}


def test_funding_source_update_keeps_the_new_name_and_its_translation():
    source = FundingSourceFactory(name="LEADER")
    funding_source_update(
        funding_source=source, name="LEADER/CLLD", translations={"lv": {"name": "LEADER/SVVA"}}
    )
    stored = FundingSource.objects.get(pk=source.pk)
    assert stored.name == "LEADER/CLLD"
    assert stored.localized("name", "lv").text == "LEADER/SVVA"
    assert stored.localized("name", "da").is_fallback
