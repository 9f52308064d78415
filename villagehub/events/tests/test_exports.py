"""Organisers' exports: formulas neutralised, numbers kept, and stored text never breaks them."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from openpyxl import load_workbook

from villagehub.accounts.tests.helpers import sign_in
from villagehub.events import services
from villagehub.events.models import Registration

from .factories import event_hold, event_make, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = User.objects.create_user("coordinator", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    TOTP.activate(user, generate_totp_secret())
    sign_in(client, user)
    return user


@pytest.fixture
def event_with_feedback():
    event = event_make(capacity=5)
    ana, _ = register(event, 1, name="-2+3", organisation="=HYPERLINK(evil)", role="\t@x")
    event_hold(event)
    services.attendance_set(registration=ana, attended=True)
    services.feedback_create(
        registration=ana, would_attend_again=True, recommend=3, satisfaction=4,
        most_useful="+cmd|' /C calc'!A0", next_topics="Broadband",
    )  # fmt: skip
    return event


def test_csv_export_neutralises_formulas(client, organiser, event_with_feedback):
    slug = event_with_feedback.slug

    response = client.get(f"/events/export/registrations.csv?event={slug}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    feedback = client.get(f"/events/export/feedback.csv?event={slug}")
    answers = list(csv.reader(io.StringIO(b"".join(feedback.streaming_content).decode())))

    assert (rows[1][1], rows[1][3], rows[1][6]) == ("'-2+3", "'=HYPERLINK(evil)", "'\t@x")
    assert answers[1][1:6] == ["yes", "3", "4", "'+cmd|' /C calc'!A0", "Broadband"]


def test_xlsx_export_neutralises_formulas_and_keeps_numbers(client, organiser, event_with_feedback):
    slug = event_with_feedback.slug

    response = client.get(f"/events/export/registrations.xlsx?event={slug}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(sheet.iter_rows(min_row=2, values_only=True))
    feedback = client.get(f"/events/export/feedback.xlsx?event={slug}")
    answer = next(load_workbook(io.BytesIO(feedback.content)).active.iter_rows(min_row=2))

    assert (row[1], row[3], row[6]) == ("'-2+3", "'=HYPERLINK(evil)", "'\t@x")
    assert [c.value for c in answer[1:5]] == ["yes", 3, 4, "'+cmd|' /C calc'!A0"]
    assert [c.data_type for c in answer[1:5]] == ["s", "n", "n", "s"]


def test_xlsx_export_leaves_out_control_characters_stored_before(
    client, organiser, event_with_feedback
):
    Registration.objects.update(name="Ana\x1b Novak", organisation="Nul\x01 and\x11 bell")

    response = client.get(f"/events/export/registrations.xlsx?event={event_with_feedback.slug}")

    assert response.status_code == 200
    row = next(
        load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)
    )
    assert (row[1], row[3]) == ("Ana Novak", "Nul and bell")
