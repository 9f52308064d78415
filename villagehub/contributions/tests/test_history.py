"""The record of every published or back-office change, for coordinators."""

import pytest

from villagehub.accounts.tests.helpers import sign_in
from villagehub.contributions.tests.factories import PROPOSAL

pytestmark = pytest.mark.django_db


def test_every_published_or_back_office_change_is_on_the_record_for_coordinators(
    client, world, admin_client
):
    from villagehub.contributions.services import submission_publish, submission_save

    town = world["town_a"]
    submission = submission_save(
        author=world["editor_a"], community=town, data=PROPOSAL, submit=True
    )
    practice = submission_publish(submission=submission, by=world["coordinator_a"])
    # A change in the back office is recorded too, with the previous value.
    admin_client.post(
        f"/admin/practices/practice/{practice.pk}/change/",
        {
            "slug": practice.slug,
            "title": "Sauna cooperative",
            "summary": practice.summary,
            "community": town.pk,
            "language": "fi",
            "translations": "{}",
            "is_published": "on",
            "links-TOTAL_FORMS": "0",
            "links-INITIAL_FORMS": "0",
        },
    )
    practice.refresh_from_db()
    assert practice.title == "Sauna cooperative"

    sign_in(client, world["coordinator_a"])
    revisions = client.get(practice.get_absolute_url()).context["revisions"]
    assert [(r.via, r.changes.get("title")) for r in revisions] == [
        ("back office", ["Village sauna cooperative", "Sauna cooperative"]),
        ("review", [None, "Village sauna cooperative"]),
    ]
    assert revisions[1].user == world["coordinator_a"]
    client.force_login(world["editor_b"])
    assert client.get(practice.get_absolute_url()).context["revisions"] is None
    client.logout()
    assert "History of changes" not in client.get(practice.get_absolute_url()).content.decode()
