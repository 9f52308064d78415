"""The event report: what an event leaves behind, showing only what people agreed to."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from villagehub.accounts.services import role_grant
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import CommunityFactory, NetworkFactory
from villagehub.contributions.models import Submission
from villagehub.contributions.services import submission_publish
from villagehub.events import selectors, services
from villagehub.events.models import Event, Photo, SpeakerConsent
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Theme

from .factories import event_hold, event_make, register
from .test_views import with_two_factor

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "green").save(buffer, "PNG")
    return SimpleUploadedFile("cafe.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def network():
    return NetworkFactory(name="Smart Rural Network")


@pytest.fixture
def coordinator(client, network):
    user = User.objects.create_user("coord", email="coord@example.org", password="x" * 12)
    role_grant(user=user, kind="coordinator", target=network)
    sign_in(client, with_two_factor(user))
    return user


@pytest.fixture
def cafe(network):
    host = CommunityFactory(name="Torup", slug="torup")
    event = event_make(
        title="Smart Café: Torup Ting",
        organiser_networks=[network],
        host_community=host,
        capacity=10,
        summary="How a village decides together.",
        themes=list(Theme.objects.order_by("slug")[:2]),
        sessions=[
            {
                "title": "Local democracy in Torup",
                "description": "The village meets four times a year to decide.",
                "speakers": "Hanne Holm, Torup\nPer Lund, Halsnæs",
            }
        ],
        materials=[
            {"kind": "recording", "title": "Recording", "url": "https://video.example.org/1"},
            {"kind": "slides", "title": "Slides", "url": "https://files.example.org/s.pdf"},
        ],
    )
    for n, publish in ((1, True), (2, False), (3, True)):
        registration, _ = register(
            event,
            n,
            name=f"Guest {'ABC'[n - 1]}lpha",
            organisation=f"Org {n}",
            consent_publish=publish,
            consent_recording=publish,
        )
    event_hold(event)
    for registration in event.registrations.all():
        if registration.name != "Guest Clpha":  # registered but did not come
            services.attendance_set(registration=registration, attended=True)
    return event


def _publish(event, **fields):
    values = {
        "report_summary": "Thirty people heard how Torup decides.",
        "report_key_points": "Meet often\nDecide in the open",
        "practices": [],
        "report_published": True,
        "recording_published": False,
    }
    values.update(fields)
    return services.event_report_update(event=event, **values)


def test_the_report_is_public_only_once_published_and_only_after_the_event(client, cafe):
    assert client.get(f"/events/{cafe.slug}/report/").status_code == 404
    upcoming = event_make(title="Next café")
    with pytest.raises(services.ReportRefused) as refused:
        _publish(upcoming)
    assert refused.value.code == "not_ended"
    _publish(cafe)
    page = client.get(f"/events/{cafe.slug}/report/").content.decode()
    assert "<p>Thirty people heard how Torup decides.</p>" in page
    assert "<li>Meet often</li><li>Decide in the open</li>" in page
    assert "Read the event's report" in client.get(cafe.get_absolute_url()).content.decode()


def test_the_report_names_only_people_who_agreed(client, cafe):
    services.speaker_consent_set(
        event=cafe, speaker="Hanne Holm, Torup", recording=True, publish=True
    )
    services.speaker_consent_set(
        event=cafe, speaker="Per Lund, Halsnæs", recording=True, publish=False
    )
    _publish(cafe)
    page = client.get(f"/events/{cafe.slug}/report/").content.decode()
    assert "Hanne Holm, Torup" in page
    assert "Per Lund" not in page
    assert "and 1 speaker who is not named here" in page
    assert "Guest Alpha (Org 1)" in page
    assert "Guest Blpha" not in page  # refused publication
    assert "Guest Clpha" not in page  # agreed, but did not take part
    assert [r.name for r in selectors.report_participants(cafe)] == ["Guest Alpha"]


def test_the_recording_shows_only_once_published(client, cafe):
    _publish(cafe)
    page = client.get(f"/events/{cafe.slug}/report/").content.decode()
    assert "https://files.example.org/s.pdf" in page
    assert "https://video.example.org/1" not in page
    assert "https://video.example.org/1" not in client.get(cafe.get_absolute_url()).content.decode()
    _publish(cafe, recording_published=True)
    page = client.get(f"/events/{cafe.slug}/report/").content.decode()
    assert '<a href="https://video.example.org/1">Recording</a>' in page


def test_the_organisers_page_lists_who_did_not_agree(client, coordinator, cafe):
    services.speaker_consent_set(
        event=cafe, speaker="Hanne Holm, Torup", recording=True, publish=True
    )
    assert [(m.name, m.role, m.recording, m.publish) for m in selectors.consent_missing(cafe)] == [
        ("Guest Blpha", "participant", False, False),
        ("Per Lund, Halsnæs", "speaker", False, False),
    ]
    page = client.get(f"/events/{cafe.slug}/manage/report/").content.decode()
    assert "<td>Guest Blpha</td><td>participant</td>" in page
    assert "<td>Per Lund, Halsnæs</td><td>speaker</td>" in page
    assert "Guest Alpha" not in page


def test_the_organiser_writes_and_publishes_the_report_with_speakers_consent(
    client, coordinator, cafe
):
    practice = PracticeFactory(title="Torup Ting", community=cafe.host_community)
    elsewhere = PracticeFactory(title="Village fibre", slug="village-fibre")
    response = client.post(
        f"/events/{cafe.slug}/manage/report/",
        {
            "action": "report",
            "report_summary": "What we learnt.",
            "report_key_points": "One\nTwo",
            "translation_language": "da",
            "translation_summary": "Hvad vi lærte.",
            "practices": [practice.pk],
            "other_practices": "https://hub.example.org/practices/village-fibre/",
            "speaker_0_publish": "on",
            "report_published": "on",
        },
    )
    assert response.status_code == 302
    cafe.refresh_from_db()
    assert cafe.report_summary == "What we learnt."
    assert cafe.translations["da"] == {"report_summary": "Hvad vi lærte."}
    assert set(cafe.practices.all()) == {practice, elsewhere}
    assert cafe.report_published and not cafe.recording_published
    assert list(
        SpeakerConsent.objects.values_list("speaker", "recording", "publish").order_by("speaker")
    ) == [("Hanne Holm, Torup", False, True), ("Per Lund, Halsnæs", False, False)]
    # Both ways: the practice's page says where it was presented.
    practice_page = client.get(practice.get_absolute_url()).content.decode()
    assert f'/events/{cafe.slug}/report/"' in practice_page
    assert "Presented at" in practice_page
    danish = client.get(f"/da/events/{cafe.slug}/report/").content.decode()
    assert "Hvad vi lærte." in danish


def test_a_report_form_with_an_unknown_practice_names_the_field(client, coordinator, cafe):
    response = client.post(
        f"/events/{cafe.slug}/manage/report/",
        {"action": "report", "other_practices": "no-such-practice"},
    )
    assert response.status_code == 400
    assert "No published practice is called no-such-practice." in response.content.decode()
    assert not Event.objects.get(pk=cafe.pk).report_published


def test_photos_are_added_with_a_description_and_removed(client, coordinator, cafe):
    url = f"/events/{cafe.slug}/manage/report/"
    response = client.post(url, {"action": "photo", "image": _png(), "description": ""})
    assert response.status_code == 400
    assert not Photo.objects.exists()
    client.post(url, {"action": "photo", "image": _png(), "description": "The village hall"})
    photo = Photo.objects.get()
    _publish(cafe)
    page = client.get(f"/events/{cafe.slug}/report/").content.decode()
    assert f'<img src="{photo.image.url}" alt="The village hall"' in page
    client.post(url, {"action": "photo_remove", "photo": photo.pk})
    assert not Photo.objects.exists()


def test_only_the_events_organisers_reach_its_report_page(client, cafe):
    other = User.objects.create_user("other", email="other@example.org", password="x" * 12)
    role_grant(user=other, kind="coordinator", target=NetworkFactory())
    sign_in(client, with_two_factor(other))
    url = f"/events/{cafe.slug}/manage/report/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "report", "report_published": "on"}).status_code == 404
    assert client.get(f"/contribute/events/{cafe.slug}/practices/new/").status_code == 404
    assert not Event.objects.get(pk=cafe.pk).report_published


def test_speaker_consent_is_only_for_the_sessions_speakers(cafe):
    with pytest.raises(ValidationError):
        services.speaker_consent_set(
            event=cafe, speaker="Somebody Else", recording=True, publish=True
        )


def test_a_practice_proposal_started_from_an_event_is_prefilled_and_linked_when_published(
    client, coordinator, cafe
):
    services.speaker_consent_set(
        event=cafe, speaker="Hanne Holm, Torup", recording=False, publish=True
    )
    url = f"/contribute/events/{cafe.slug}/practices/new/"
    page = client.get(url).content.decode()
    assert 'value="Local democracy in Torup"' in page
    assert "The village meets four times a year to decide." in page
    assert "Hanne Holm, Torup" in page
    assert "Per Lund" not in page  # did not agree to be named
    checked = re.findall(r'name="themes" value="([^"]+)" id="[^"]+" checked', page)
    assert checked == sorted(t.slug for t in cafe.themes.all())
    assert len(checked) == 2
    response = client.post(
        url,
        {
            "title": "Local democracy in Torup",
            "summary": "The village decides together.",
            "language": "en",
            "themes": [t.slug for t in cafe.themes.all()],
            "submit": "yes",
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.community, submission.event) == (cafe.host_community, cafe)
    assert sorted(submission.data["themes"]) == sorted(t.slug for t in cafe.themes.all())
    # The organiser keeps their proposal though they do not edit the community.
    assert client.get(f"/contribute/submissions/{submission.pk}/").status_code == 200
    practice = submission_publish(submission=submission, by=coordinator)
    assert list(cafe.practices.all()) == [practice]
    assert selectors.events_presenting(practice) == [cafe]


def test_speakers_listed_as_people_are_named_only_with_their_consent(client, coordinator, cafe):
    services.event_update(
        event=cafe,
        sessions=[
            {
                "title": "Local democracy in Torup",
                "speakers": "",
                "people": [
                    {"name": "Hanne Holm", "organisation": "Torup", "publish_consent": True},
                    {"name": "Per Lund", "organisation": "Halsnæs", "publish_consent": False},
                ],
            }
        ],
    )
    hanne, per = cafe.sessions.get().people.order_by("position")
    assert [(m.name, m.recording, m.publish) for m in selectors.consent_missing(cafe)][-2:] == [
        ("Hanne Holm", False, True),
        ("Per Lund", False, False),
    ]
    response = client.post(
        f"/events/{cafe.slug}/manage/report/",
        {
            "action": "report",
            f"person_{hanne.pk}_recording": "on",
            f"person_{hanne.pk}_publish": "on",
            "report_published": "on",
        },
    )
    assert response.status_code == 302
    hanne.refresh_from_db()
    per.refresh_from_db()
    assert (hanne.recording_consent, hanne.publish_consent) == (True, True)
    assert (per.recording_consent, per.publish_consent) == (False, False)
    page = client.get(f"/events/{cafe.slug}/report/").content.decode()
    assert "Hanne Holm, Torup" in page
    assert "Per Lund" not in page
    assert "and 1 speaker who is not named here" in page
