"""Text that a spreadsheet would run as a formula never reaches one live (CSV injection),
and a CSV the hub wrote still imports back unchanged."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from villagehub.communities.models import Community
from villagehub.communities.tests.factories import CommunityFactory
from villagehub.practices.models import Practice
from villagehub.practices.tests.factories import PracticeFactory
from villagehub.taxonomy.models import Theme

pytestmark = pytest.mark.django_db

FORMULAS = {
    "equals": '=HYPERLINK("http://evil.example","click")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(A1:A9)",
    "after a tab": "\t=1+1",
    "after a separator": ";=1+1",
    "after a carriage return": "\r=1+1",
    "an apostrophe of its own": "'=1+1",
}


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_public_downloads_neutralise_formulas_and_keep_numbers(client):
    for n, (label, formula) in enumerate(FORMULAS.items()):
        CommunityFactory(
            slug=f"c{n}", name=formula, region=label, longitude=Decimal("-8.61"), population=300
        )
        PracticeFactory(slug=f"p{n}", title=label, summary=formula)

    communities = [r for r in csv_rows(client.get("/downloads/communities.csv")) if r["region"]]
    practices = csv_rows(client.get("/downloads/practices.csv"))

    assert [r["name"] for r in communities] == ["'" + f for f in FORMULAS.values()]
    assert [r["summary"] for r in practices] == ["'" + f for f in FORMULAS.values()]
    assert {(r["longitude"], r["population"]) for r in communities} == {("-8.61000", "300")}


def test_a_theme_description_download_is_neutralised_too(client):
    Theme.objects.filter(slug="school-canteens").update(description="=1+1")

    themes = {r["slug"]: r for r in csv_rows(client.get("/downloads/themes.csv"))}

    assert themes["school-canteens"]["description"] == "'=1+1"


def test_a_csv_export_with_formulas_imports_back_unchanged(tmp_path):
    for n, formula in enumerate(FORMULAS.values()):
        CommunityFactory(slug=f"c{n}", name=formula, description=formula, region="-")
    target = tmp_path / "communities.csv"
    before = list(Community.objects.order_by("slug").values_list("slug", "name", "description"))

    call_command("hub_export", format="csv", kind=["communities"], output=str(target))
    Community.objects.all().delete()
    call_command("hub_import", str(target), stdout=io.StringIO())

    assert "'=HYPERLINK" in target.read_text(encoding="utf-8")
    after = Community.objects.order_by("slug")
    assert list(after.values_list("slug", "name", "description")) == before
    assert set(after.values_list("region", flat=True)) == {"-"}


def test_a_download_imports_back_unchanged(client, tmp_path):
    PracticeFactory(slug="p", title="@home", summary="-2+3", results="=SUM(1)")
    path = tmp_path / "practices.csv"
    path.write_bytes(b"".join(client.get("/downloads/practices.csv").streaming_content))
    Practice.objects.all().delete()

    call_command("hub_import", str(path), stdout=io.StringIO())

    practice = Practice.objects.get()
    assert (practice.title, practice.summary, practice.results) == ("@home", "-2+3", "=SUM(1)")
