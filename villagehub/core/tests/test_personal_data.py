"""The registry of personal data: what an app registers is exported and erased with the rest
(the apps' own shares are tested end to end in accounts/tests/test_personal_data.py)."""

import pytest

from villagehub.accounts.overview import person_data
from villagehub.accounts.services import person_erase
from villagehub.accounts.tests.factories import UserFactory
from villagehub.core import personal_data
from villagehub.core.models import OutboxMessage, Revision
from villagehub.core.personal_data import Mention, Person, Share
from villagehub.core.tests.factories import OutboxMessageFactory, RevisionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shares(monkeypatch):
    """The registry as the apps filled it, restored after the test."""
    monkeypatch.setattr(personal_data, "_shares", dict(personal_data._shares))
    return personal_data._shares


def test_every_app_that_keeps_personal_data_has_registered_its_share():
    assert list(personal_data._shares) == [
        "core", "news", "comments", "contact", "events", "accounts", "contributions",
    ]  # fmt: skip


def test_a_registered_share_is_exported_and_erased_with_the_others(shares):
    erased_for = []

    def export(person: Person) -> dict:
        return {"garden_plots": sorted(person.emails)}

    def erase(person: Person) -> dict:
        erased_for.append(person)
        return {"garden_plots": 1}

    user = UserFactory(username="ilze", email="ilze@example.lv", verified=True)
    user.emailaddress_set.create(email="ilze.other@example.lv", verified=True)
    personal_data.register(
        "gardens",
        Share(export=export, account=lambda u: {"plot_holder": u.username}, erase=erase),
    )

    data = person_data(email="ILZE@example.lv", user=user)
    assert data["garden_plots"] == ["ilze.other@example.lv", "ilze@example.lv"]
    assert list(data["account"])[:2] == ["username", "email"]  # the account's own fields first
    assert data["account"]["plot_holder"] == "ilze"

    person_erase(email="ilze@example.lv", user=user)
    (person,) = erased_for
    assert person.emails == {"ilze@example.lv", "ilze.other@example.lv"}
    assert person.account.username == "ilze"


def test_erasure_blanks_the_words_of_registered_mentions_and_deletes_messages(shares):
    RevisionFactory(changes={"description": ["Ask Ilze Kalniņa.", "Ask the town hall."]})
    OutboxMessageFactory(to="someone@example.org", body="Ilze Kalniņa registered.")
    OutboxMessageFactory(to="someone@example.org", body="Nothing about her.")
    personal_data.register("gardens", Share(traces=lambda person: {"Ilze Kalniņa"}))

    person_erase(email="ilze@example.lv")

    assert Revision.objects.get().changes == {"description": ["Ask —.", "Ask the town hall."]}
    assert list(OutboxMessage.objects.values_list("body", flat=True)) == ["Nothing about her."]


def test_words_shorter_than_four_letters_are_not_traces(shares):
    RevisionFactory(changes={"name": ["Ana", "Anna"]})
    personal_data.register("gardens", Share(traces=lambda person: {"Ana"}))
    person_erase(email="ana@example.org")
    assert Revision.objects.get().changes == {"name": ["Ana", "Anna"]}


def test_mentions_lists_every_share_s_columns():
    models = {mention.model.__name__ for mention in personal_data.mentions()}
    assert {"OutboxMessage", "LogEntry", "Revision", "Comment", "ContactMessage"} <= models
    assert all(isinstance(m, Mention) for m in personal_data.mentions())
