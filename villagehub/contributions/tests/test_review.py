import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from villagehub.communities.tests.factories import CommunityFactory
from villagehub.contributions.selectors import ReviewRow, review_rows
from villagehub.contributions.services import submission_save
from villagehub.practices.services import practice_create
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db


def test_a_reviewer_reads_labels_and_names_not_stored_keys():
    town = CommunityFactory()
    practice = practice_create(
        title="Sauna", summary="The village sauna.", community=town, language="fi"
    )
    practice.themes.set([Theme.objects.get(slug="cooperatives")])
    editor = get_user_model().objects.create_user("ed", "ed@example.org", "x" * 20)
    submission = submission_save(
        author=editor,
        community=town,
        practice=practice,
        data={
            "title": "Sauna",
            "summary": "The village sauna, run as a cooperative.",
            "language": "sv",
            "themes": ["cooperatives", "broadband"],
        },
        submit=True,
    )
    with translation.override("en"):
        rows = {row.label: row for row in review_rows(submission)}
    assert rows["Title"] == ReviewRow("Title", "Sauna", "Sauna", changed=False)
    assert rows["Original language"] == ReviewRow("Original language", "Finnish", "Swedish", True)
    assert rows["Themes"].now == "Village cooperatives"
    assert rows["Themes"].proposed == "Broadband and fibre, Village cooperatives"
    assert rows["Themes"].changed
    assert rows["Summary"].changed
