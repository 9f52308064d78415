"""A country's factsheet is written from the public site by a coordinator of a network of that
country, through the fixed question set, and published by another after review, with the
values it replaces kept."""

import pytest
from django.core import mail

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import NetworkFactory
from villagehub.contributions.models import Submission
from villagehub.countries.models import Factsheet
from villagehub.countries.services import factsheet_upsert

pytestmark = pytest.mark.django_db

ANSWERS = {
    "definition": "Rural communities that use innovative solutions.",
    "digital_key_feature": "no",
    "digital_text": "A tool, not an end in itself.",
    "social_innovation_key_feature": "yes",
    "managing_authority": "Ministry of Agriculture",
    "activity_networking": "on",
    "activity_training": "on",
    "taskforce": "true",
    "cap_2023_2027": "specific",
    "cap_2023_2027_measures": "LEADER strategies.",
    "language": "en",
}


@pytest.fixture
def latvia():
    cap_network, other_lv = NetworkFactory(country="LV"), NetworkFactory(country="LV")
    return {
        "writer": person("writer", coordinator=cap_network),
        "reviewer": person("reviewer", coordinator=other_lv),
        "swede": person("swede", coordinator=NetworkFactory(country="SE")),
    }


def test_a_coordinator_writes_the_factsheet_another_publishes_it(
    client, latvia, django_capture_on_commit_callbacks
):
    sign_in(client, latvia["writer"])
    dashboard = client.get("/contribute/").content.decode()
    assert 'href="/contribute/countries/lv/"' in dashboard
    assert 'href="/contribute/countries/lv/"' in client.get("/countries/lv/").content.decode()
    form = client.get("/contribute/countries/lv/").content.decode()
    assert "<h1>Factsheet of Latvia</h1>" in form
    assert 'name="cap_2014_2022"' in form and 'name="activity_news"' in form
    client.post("/contribute/countries/lv/", {**ANSWERS, "submit": "1"})
    submission = Submission.objects.get()
    assert (submission.kind, submission.data["country"], submission.status) == (
        "factsheet",
        "LV",
        "submitted",
    )
    assert not Factsheet.objects.exists()  # not before review

    # The author does not review their own proposal.
    assert client.get(f"/contribute/review/{submission.pk}/").status_code == 404
    sign_in(client, latvia["reviewer"])
    review = client.get(f"/contribute/review/{submission.pk}/").content.decode()
    assert (
        '<th scope="row">Is digital a key feature? <span class="small">(changed)</span></th>'
        "<td></td><td><strong>No</strong>"
    ) in review
    assert "<strong>Specific Smart Villages intervention</strong>" in review
    assert '<th scope="row">CAP support 2023–2027' in review
    assert "cap_2023_2027" not in review
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})

    factsheet = Factsheet.objects.get(country="LV")
    assert (factsheet.digital_key_feature, factsheet.taskforce) == ("no", True)
    assert (factsheet.activity_networking, factsheet.activity_news) == (True, False)
    assert factsheet.last_updated is not None
    (support,) = factsheet.cap_support.all()
    assert (support.period, support.support, support.measures) == (
        "2023-2027",
        "specific",
        "LEADER strategies.",
    )
    assert mail.outbox[-1].to == ["writer@example.org"]  # told it is published
    page = client.get("/countries/lv/").content.decode()
    assert "Rural communities that use innovative solutions." in page


def test_an_update_shows_before_and_after_and_keeps_the_previous_answers(client, latvia):
    factsheet_upsert(
        country="LV",
        definition="The old definition.",
        digital_key_feature="yes",
        cap_support=[{"period": "2014-2022", "support": "indirect"}],
    )
    sign_in(client, latvia["writer"])
    form = client.get("/contribute/countries/lv/").content.decode()
    assert "The old definition." in form  # the form starts from the published answers
    client.post("/contribute/countries/lv/", {**ANSWERS, "submit": "1"})
    submission = Submission.objects.get()

    sign_in(client, latvia["reviewer"])
    review = client.get(f"/contribute/review/{submission.pk}/").content.decode()
    assert "Published now" in review
    assert (
        'Is digital a key feature? <span class="small">(changed)</span></th><td>Yes</td>'
        "<td><strong>No</strong>"
    ) in review
    assert "<td>Indirect support, no specific intervention</td>" in review
    client.post(f"/contribute/review/{submission.pk}/", {"action": "publish"})
    submission.refresh_from_db()
    assert submission.previous["definition"] == "The old definition."
    assert submission.previous["cap_2014_2022"] == "indirect"
    factsheet = Factsheet.objects.get(country="LV")
    assert factsheet.definition == ANSWERS["definition"]
    assert [s.period for s in factsheet.cap_support.all()] == ["2023-2027"]


def test_only_coordinators_of_the_country_write_or_review_its_factsheet(client, latvia):
    sign_in(client, latvia["swede"])
    assert client.get("/contribute/countries/lv/").status_code == 404
    assert 'href="/contribute/countries/lv/"' not in client.get("/countries/lv/").content.decode()
    participant = person("participant")
    client.force_login(participant)
    assert client.get("/contribute/countries/se/").status_code == 404

    sign_in(client, latvia["writer"])
    client.post("/contribute/countries/lv/", {**ANSWERS, "submit": "1"})
    submission = Submission.objects.get()
    sign_in(client, latvia["swede"])
    assert client.get(f"/contribute/review/{submission.pk}/").status_code == 404


def test_a_bad_answer_is_refused_on_its_field(client, latvia):
    sign_in(client, latvia["writer"])
    response = client.post(
        "/contribute/countries/lv/", {**ANSWERS, "digital_key_feature": "maybe", "submit": "1"}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["digital_key_feature"]
    assert not Submission.objects.exists()


def test_the_history_names_the_answers_it_replaced(client, latvia):
    factsheet_upsert(country="LV", digital_key_feature="yes")
    for definition in ("First.", "Second."):
        sign_in(client, latvia["writer"])
        client.post(
            "/contribute/countries/lv/", {**ANSWERS, "definition": definition, "submit": "1"}
        )
        sign_in(client, latvia["reviewer"])
        pk = Submission.objects.get(status="submitted").pk
        client.post(f"/contribute/review/{pk}/", {"action": "publish"})
    submission = Submission.objects.filter(status="published").order_by("pk").last()
    review = client.get(f"/contribute/review/{submission.pk}/")
    assert review.status_code == 404  # published: no longer in the review queue
    sign_in(client, latvia["writer"])
    client.post("/contribute/countries/lv/", {**ANSWERS, "submit": "1"})
    sign_in(client, latvia["reviewer"])
    pending = Submission.objects.get(status="submitted")
    page = client.get(f"/contribute/review/{pending.pk}/").content.decode()
    history = page[page.index("History of this record") :]
    assert "<dt>Is digital a key feature?</dt><dd>Yes</dd>" in history
    assert "<dt>How the concept of Smart Villages is defined</dt><dd>First.</dd>" in history
    assert "digital_key_feature" not in history
