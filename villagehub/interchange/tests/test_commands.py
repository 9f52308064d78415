import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from villagehub.cli import main
from villagehub.communities.models import Community
from villagehub.interchange.kinds import KINDS

COMMUNITIES_CSV = "slug,name,kind,country,themes\ntorup,Torup,village,DK,broadband\n"


def test_hub_import_reports_what_it_imported(db, tmp_path):
    path = tmp_path / "communities.csv"
    path.write_text(COMMUNITIES_CSV, encoding="utf-8")
    out = io.StringIO()

    call_command("hub_import", str(path), stdout=out)

    assert out.getvalue() == "Imported: 1 communities.\n"
    assert list(Community.objects.values_list("slug", "name")) == [("torup", "Torup")]


def test_hub_import_takes_the_kind_of_a_csv_file(db, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(COMMUNITIES_CSV, encoding="utf-8")

    call_command("hub_import", str(path), kind="communities", stdout=io.StringIO())

    assert list(Community.objects.values_list("slug", flat=True)) == ["torup"]


def test_hub_import_lists_every_problem_and_imports_nothing(db, tmp_path):
    path = tmp_path / "communities.csv"
    path.write_text(
        "slug,name,kind,country,population\n"
        "torup,Torup,village,DK,120\n"
        "nowhere,Nowhere,village,XX,\n"
        "big,Big,town,FR,lots\n",
        encoding="utf-8",
    )
    err = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("hub_import", str(path), stdout=io.StringIO(), stderr=err)

    assert str(error.value) == "2 problems found; nothing was imported."
    assert err.getvalue().splitlines() == [
        f"{path}, row 3, column “country”: Value 'XX' is not a valid choice.",
        f"{path}, row 4, column “population”: “lots” value must be an integer.",
    ]
    assert not Community.objects.exists()


def test_hub_export_writes_one_kind_as_csv_to_a_file(db, tmp_path):
    call_command("hub_import", _write(tmp_path, "communities.csv"), stdout=io.StringIO())
    target = tmp_path / "out.csv"

    call_command("hub_export", format="csv", kind=["communities"], output=str(target))

    [row] = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert list(row) == list(KINDS["communities"].columns)
    assert (row["slug"], row["name"], row["country"], row["themes"]) == (
        "torup",
        "Torup",
        "DK",
        "broadband",
    )


def test_hub_export_writes_json_that_hub_import_reads_back(db, tmp_path):
    call_command("hub_import", _write(tmp_path, "communities.csv"), stdout=io.StringIO())
    target = tmp_path / "hub.json"

    call_command("hub_export", kind=["communities"], output=str(target))
    Community.objects.all().delete()
    call_command("hub_import", str(target), stdout=io.StringIO())

    document = json.loads(target.read_text(encoding="utf-8"))
    assert list(document) == ["communities"]
    assert [c["slug"] for c in document["communities"]] == ["torup"]
    assert list(Community.objects.values_list("slug", "name")) == [("torup", "Torup")]


@pytest.mark.parametrize("kinds", [None, ["communities", "practices"]])
def test_hub_export_csv_needs_exactly_one_kind(db, tmp_path, kinds):
    target = tmp_path / "out.csv"

    with pytest.raises(CommandError) as error:
        call_command("hub_export", format="csv", kind=kinds, output=str(target))

    assert str(error.value) == "CSV holds one kind of record: give exactly one --kind."
    assert not target.exists()


@pytest.fixture
def keep_test_connection(monkeypatch):
    """A command run from the command line closes every database connection when it ends,
    as it should; in a test that would close the connection holding the test transaction."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_villagehub_import_runs_hub_import(db, tmp_path, capsys, keep_test_connection):
    main(["import", _write(tmp_path, "communities.csv")])

    assert capsys.readouterr().out == "Imported: 1 communities.\n"
    assert list(Community.objects.values_list("slug", flat=True)) == ["torup"]


def test_villagehub_import_of_a_broken_file_exits_with_the_problems(
    db, tmp_path, capsys, keep_test_connection
):
    path = tmp_path / "communities.csv"
    path.write_text("slug,name,kind,country\ntorup,Torup,village,XX\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exit_:
        main(["import", str(path)])

    assert exit_.value.code == 1
    assert capsys.readouterr().err == (
        f"{path}, row 2, column “country”: Value 'XX' is not a valid choice.\n"
        "CommandError: 1 problem found; nothing was imported.\n"
    )
    assert not Community.objects.exists()


def test_villagehub_rejects_an_unknown_command_with_exit_code_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])

    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith(
        "villagehub: unknown command 'frobnicate'\n\nusage: villagehub <command> [options]"
    )


def _write(tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_text(COMMUNITIES_CSV, encoding="utf-8")
    return str(path)
