"""A network's own strategy (a national Smart Villages taskforce): written and published by
its coordinators, on pages like a community's."""

import pytest

from villagehub.accounts.tests.factories import person
from villagehub.accounts.tests.helpers import sign_in
from villagehub.communities.tests.factories import NetworkFactory
from villagehub.matching.selectors import solutions_for_need
from villagehub.solutions.tests.factories import provider, solution
from villagehub.strategies.models import Need, Strategy

pytestmark = pytest.mark.django_db

EDIT = "/networks/lv-taskforce/strategy/edit/"


@pytest.fixture
def world():
    taskforce = NetworkFactory(slug="lv-taskforce", name="Latvian Smart Villages taskforce",
                               country="LV")  # fmt: skip
    other = NetworkFactory(slug="other")
    return {
        "taskforce": taskforce,
        "coordinator": person("coordinator", coordinator=taskforce),
        "other_coordinator": person("other_coordinator", coordinator=other),
        "stranger": person("stranger"),
    }


def _write(client):
    client.post(EDIT, {"strategy-title": "Viedie ciemi 2030", "strategy-language": "lv",
                       "strategy-vision": "Dzīvi ciemi visā Latvijā.",
                       "strategy-meetings_held": "6",
                       "strategy-people_involved": "90"})  # fmt: skip
    client.post(EDIT, {"part": "action", "action-title": "Ciemu stratēģiju mentori",
                       "action-status": "in_progress", "action-owner": "LLKC"})  # fmt: skip
    client.post(EDIT, {"part": "need", "need-title": "Platjoslas internets ciemiem",
                       "need-description": "Optiskā šķiedra mazajiem ciemiem.",
                       "need-themes": ["broadband"]})  # fmt: skip


def test_the_coordinators_write_review_and_publish_the_network_strategy(client, world):
    assert client.get("/networks/lv-taskforce/strategy/").status_code == 404
    sign_in(client, world["coordinator"])
    assert client.get(EDIT).status_code == 200  # the form to start one
    _write(client)
    strategy = Strategy.objects.get()
    assert (strategy.network, strategy.community) == (world["taskforce"], None)
    assert strategy.actions.get().title == "Ciemu stratēģiju mentori"
    assert "Platjoslas internets ciemiem" in client.get(EDIT).content.decode()

    client.post(EDIT, {"part": "submit"})
    review = client.get("/networks/lv-taskforce/strategy/review/")
    assert "Viedie ciemi 2030" in review.content.decode()
    response = client.post("/networks/lv-taskforce/strategy/review/")
    assert response.url == "/networks/lv-taskforce/strategy/"
    strategy.refresh_from_db()
    assert (strategy.status, strategy.version) == ("published", 1)

    client.logout()
    page = client.get("/networks/lv-taskforce/strategy/").content.decode()
    assert "Dzīvi ciemi visā Latvijā." in page
    assert 'href="/networks/lv-taskforce/strategy.pdf"' in page
    pdf = client.get("/networks/lv-taskforce/strategy.pdf")
    assert pdf.content.startswith(b"%PDF-")
    need = Need.objects.get()
    assert need.is_published
    need_page = client.get(f"/needs/{need.pk}/").content.decode()
    assert 'href="/networks/lv-taskforce/strategy/"' in need_page
    assert (
        'href="/networks/lv-taskforce/strategy/"'
        in client.get("/networks/lv-taskforce/").content.decode()
    )


def test_only_its_coordinators_write_or_publish_a_network_strategy(client, world):
    sign_in(client, world["coordinator"])
    _write(client)
    client.post(EDIT, {"part": "submit"})
    for who in ("other_coordinator", "stranger"):
        sign_in(client, world[who])
        assert client.get(EDIT).status_code == 404
        response = client.post(EDIT, {"part": "objective", "objective-title": "Sneaked in"})
        assert response.status_code == 404
        assert client.post("/networks/lv-taskforce/strategy/review/").status_code == 404
    strategy = Strategy.objects.get()
    assert not strategy.objectives.exists()
    assert strategy.status == "submitted"


def test_a_network_need_is_matched_with_the_solutions_of_its_country(world, client):
    sign_in(client, world["coordinator"])
    _write(client)
    client.post(EDIT, {"part": "submit"})
    client.post("/networks/lv-taskforce/strategy/review/")
    fibre = solution(provider=provider(), name="Village fibre kit", countries="LV")
    proposals = solutions_for_need(need=Need.objects.get())
    assert proposals[0].record == fibre
    assert "Serves Latvia" in proposals[0].reasons
