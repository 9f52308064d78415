import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries() if e.msgid]
    assert (untranslated, fuzzy) == ([], [])
    assert len(catalogue) > 250


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_keeps_every_placeholder(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    pattern = re.compile(r"%\(\w+\)s|\{\{ ?\w+ ?\}\}")
    for entry in catalogue.translated_entries():
        expected = set(pattern.findall(entry.msgid)) | set(pattern.findall(entry.msgid_plural))
        translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
        for text in translations:
            # A plural form may drop the count (e.g. Slovenian "one" forms), nothing else.
            missing = {p for p in expected if p not in text} - {"{{ counter }}", "{{counter}}"}
            assert not missing, (entry.msgid, text)


@pytest.mark.parametrize(
    "language",
    ["sv", "fr", "lv", "da", "fi", "pt", "sl"],
)
def test_pages_speak_the_visitor_language(client, db, language):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert f'<html lang="{language}">'.encode() in response.content


def test_language_switcher_keeps_the_page(client, db):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/practices/"})
    assert response.status_code == 302
    assert response["Location"] == "/sv/practices/"


def test_no_app_keeps_a_catalogue_of_its_own():
    """Every string lives in the hub's one catalogue per language: `makemessages` writes an
    app's strings into an app's `locale/` when that holds a catalogue (and the Makefile keeps
    only allauth's Portuguese .mo under `accounts/locale/`, which `make messages` ignores),
    where no one translates or compiles them."""
    base = Path(settings.BASE_DIR)
    stray = sorted(
        str(path.relative_to(base))
        for path in base.glob("*/locale/**/*.po")
        if not path.is_relative_to(LOCALE)
    )
    assert stray == []
