import pytest
from django.core.exceptions import ValidationError

from villagehub.communities.models import Network
from villagehub.communities.services import network_create


@pytest.fixture
def swedish_network(db):
    return network_create(
        name="Smart Little Village",
        kind=Network.Kind.REGIONAL,
        language="sv",
        description="Idéburen organisation i Skåne.",
        translations={"en": {"description": "Non-profit organisation in Skåne."}},
    )


def test_localized_returns_the_translation_when_there_is_one(swedish_network):
    text = swedish_network.localized("description", "en")
    assert (text.text, text.language, text.is_fallback) == (
        "Non-profit organisation in Skåne.",
        "en",
        False,
    )


def test_localized_returns_the_original_in_its_own_language(swedish_network):
    text = swedish_network.localized("description", "sv")
    assert (text.text, text.language, text.is_fallback) == (
        "Idéburen organisation i Skåne.",
        "sv",
        False,
    )


def test_localized_falls_back_to_the_original_and_says_so(swedish_network):
    text = swedish_network.localized("description", "lv")
    assert (text.text, text.language, text.is_fallback) == (
        "Idéburen organisation i Skåne.",
        "sv",
        True,
    )


def test_translations_of_unknown_fields_are_refused(db):
    with pytest.raises(ValidationError) as error:
        network_create(name="N", kind=Network.Kind.CLUSTER, translations={"fr": {"name": "Réseau"}})
    assert "translations" in error.value.message_dict


def test_translations_in_unknown_languages_are_refused(db):
    with pytest.raises(ValidationError) as error:
        network_create(
            name="N", kind=Network.Kind.CLUSTER, translations={"xx": {"description": "?"}}
        )
    assert "translations" in error.value.message_dict
