import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from villagehub.communities.models import Community, Network, Representative
from villagehub.communities.services import community_upsert
from villagehub.core.demo import DEMO_FILE
from villagehub.core.text import xml_clean
from villagehub.countries.models import Factsheet
from villagehub.interchange.kinds import KINDS
from villagehub.interchange.services import (
    ImportFailed,
    Problem,
    export_csv,
    export_document,
    import_file,
    import_text,
)
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice, PracticeLink
from villagehub.search.interface import engine
from villagehub.search.models import SearchDocument

MODELS = [Organisation, Network, Community, Practice, Factsheet, Representative, PracticeLink]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def problems_of(failure: pytest.ExceptionInfo[ImportFailed]) -> list[tuple]:
    return [(p.row, p.column, p.reason) for p in failure.value.problems]


def csv_text(kind: str) -> str:
    out = io.StringIO(newline="")
    export_csv(kind, out)
    return out.getvalue()


# ---------------------------------------------------------------------------- valid files


def test_import_csv_creates_communities_with_relations_and_representatives(db, tmp_path):
    path = write(
        tmp_path,
        "communities.csv",
        "slug,name,kind,country,population,population_year,latitude,longitude,"
        "coordinates_approximate,themes,goals,representatives,language,translations,source\n"
        "raudanmaa,Raudanmaa,village,fi,812,2023,60.5,23.25,yes,broadband; school-canteens,3;11,"
        '"[{""name"": ""Heini Niklas-Salminen"", ""role"": ""Café host""}, {""name"": ""Aino""}]",'
        'fi,"{""en"": {""description"": ""A village""}}",seed-000\n',
    )

    report = import_file(path)

    assert report.counts == {"communities": 1}
    community = Community.objects.get()
    assert (
        community.slug,
        community.name,
        community.kind,
        community.country.code,
        community.population,
        community.population_year,
        community.latitude,
        community.longitude,
        community.coordinates_approximate,
        community.language,
        community.translations,
        community.source,
    ) == (
        "raudanmaa",
        "Raudanmaa",
        "village",
        "FI",
        812,
        2023,
        Decimal("60.5"),
        Decimal("23.25"),
        True,
        "fi",
        {"en": {"description": "A village"}},
        "seed-000",
    )
    assert sorted(community.themes.values_list("slug", flat=True)) == [
        "broadband",
        "school-canteens",
    ]
    assert sorted(community.goals.values_list("number", flat=True)) == [3, 11]
    assert list(community.representatives.values_list("name", "role", "position")) == [
        ("Heini Niklas-Salminen", "Café host", 0),
        ("Aino", "", 1),
    ]


def test_import_csv_reads_practice_lists_split_by_semicolon_and_links_as_json(db, tmp_path):
    import_text(
        "organisations.json",
        json.dumps(
            {
                "organisations": [
                    {"slug": "latvian-cap-network", "name": "Latvian CAP Network", "kind": "ngo"},
                    {"slug": "urbanage", "name": "URBANAGE", "kind": "project"},
                ]
            }
        ),
    )
    path = write(
        tmp_path,
        "practices.csv",
        "slug,title,summary,organisations,themes,start_year,is_published,status,links\n"
        "village-fibre,Village fibre,A cooperative runs fibre.,urbanage;latvian-cap-network,"
        'broadband,2019,false,ongoing,"[{""url"": ""https://example.org/fibre"", '
        '""title"": ""Fibre plan"", ""kind"": ""document""}, '
        '{""url"": ""https://example.org"", ""title"": ""Home""}]"\n',
    )

    import_file(path)

    practice = Practice.objects.get()
    assert (practice.slug, practice.title, practice.summary) == (
        "village-fibre",
        "Village fibre",
        "A cooperative runs fibre.",
    )
    assert (practice.start_year, practice.is_published, practice.status) == (2019, False, "ongoing")
    assert practice.community is None
    assert sorted(practice.organisations.values_list("slug", flat=True)) == [
        "latvian-cap-network",
        "urbanage",
    ]
    assert list(practice.themes.values_list("slug", flat=True)) == ["broadband"]
    assert list(practice.links.values_list("url", "title", "kind", "position")) == [
        ("https://example.org/fibre", "Fibre plan", "document", 0),
        ("https://example.org", "Home", "website", 1),
    ]


def test_import_json_creates_organisations_and_practices_with_translations(db, tmp_path):
    document = {
        "organisations": [
            {
                "slug": "smart-little-village",
                "name": "Smart Little Village",
                "kind": "ngo",
                "country": "SE",
                "language": "sv",
                "description": "Idéburen organisation.",
                "translations": {"en": {"description": "Non-profit organisation."}},
            }
        ],
        "practices": [
            {
                "slug": "annual-conference",
                "title": "Årlig konferens",
                "summary": "En konferens.",
                "organisations": ["smart-little-village"],
                "goals": [8, 11],
                "language": "sv",
                "translations": {"en": {"title": "Annual conference"}},
                "links": [{"url": "https://example.org/conf", "title": "Programme"}],
            }
        ],
    }
    path = write(tmp_path, "hub.json", json.dumps(document))

    report = import_file(path)

    assert report.counts == {"organisations": 1, "practices": 1}
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.kind, organisation.country.code) == (
        "Smart Little Village",
        "ngo",
        "SE",
    )
    assert organisation.language == "sv"
    assert organisation.translations == {"en": {"description": "Non-profit organisation."}}
    practice = Practice.objects.get()
    assert practice.title == "Årlig konferens"
    assert practice.translations == {"en": {"title": "Annual conference"}}
    assert list(practice.organisations.all()) == [organisation]
    assert sorted(practice.goals.values_list("number", flat=True)) == [8, 11]
    assert list(practice.links.values_list("url", "title", "kind")) == [
        ("https://example.org/conf", "Programme", "website")
    ]


def test_import_yaml_links_a_practice_to_a_community_from_the_same_file(db, tmp_path):
    path = write(
        tmp_path,
        "hub.yaml",
        "practices:\n"
        "  - {slug: torup-ting, title: Torup Ting, summary: Village assembly., community: torup}\n"
        "communities:\n"
        "  - {slug: torup, name: Torup, kind: village, country: DK}\n",
    )

    report = import_file(path)

    assert report.counts == {"communities": 1, "practices": 1}
    assert Practice.objects.get().community == Community.objects.get(slug="torup")


def test_import_guesses_the_kind_of_a_csv_file_from_its_name_or_is_told(db, tmp_path):
    text = "slug,name,kind,country\ntorup,Torup,village,DK\n"

    import_file(write(tmp_path, "communities-2024.csv", text))
    import_file(
        write(tmp_path, "places.csv", text.replace("Torup", "Torup By")), kind="communities"
    )

    assert list(Community.objects.values_list("slug", "name")) == [("torup", "Torup By")]


def test_reimporting_a_file_updates_records_in_place_without_duplicates(db, tmp_path):
    header = "slug,name,kind,country,themes,representatives\n"
    first = write(
        tmp_path,
        "communities.csv",
        header
        + 'torup,Torup,village,DK,broadband,"[{""name"": ""Peter""}, {""name"": ""Ida""}]"\n',
    )
    import_file(first)
    community_id = Community.objects.get().pk
    import_file(first)
    assert row_counts()["Community"] == 1
    assert row_counts()["Representative"] == 2

    changed = write(
        tmp_path,
        "communities.csv",
        header
        + 'torup,Torup Ting,village,DK,volunteering,"[{""name"": ""Ida"", ""role"": ""Chair""}]"\n',
    )
    import_file(changed)

    community = Community.objects.get()
    assert (community.pk, community.name) == (community_id, "Torup Ting")
    assert list(community.themes.values_list("slug", flat=True)) == ["volunteering"]
    assert list(community.representatives.values_list("name", "role")) == [("Ida", "Chair")]
    assert Representative.objects.count() == 1


@pytest.mark.parametrize("representatives", ["", '"[{""name"": ""Ida""}]"'])
def test_imports_record_each_change_with_previous_values_in_the_history(
    db, tmp_path, representatives
):
    # With representatives a row goes through the per-row path, without through the bulk one.
    from villagehub.core.models import Revision
    from villagehub.taxonomy.models import Theme

    header = "slug,name,kind,country,themes,representatives\n"
    path = write(
        tmp_path,
        "communities-1.csv",
        header + f"torup,Torup,village,DK,broadband,{representatives}\n",
    )
    import_file(path)
    import_file(path)  # the same values again: nothing changed, nothing recorded
    path = write(
        tmp_path,
        "communities-2.csv",
        header + f"torup,Torup Ting,village,DK,volunteering,{representatives}\n",
    )
    import_file(path)

    community = Community.objects.get()
    # Creating the record is not a revision (nothing was there before); the change is.
    (revision,) = Revision.objects.filter(object_id=str(community.pk))
    assert revision.via == "import communities-2.csv"
    assert revision.changes == {
        "name": ["Torup", "Torup Ting"],
        "themes": [
            [str(Theme.objects.get(slug="broadband").pk)],
            [str(Theme.objects.get(slug="volunteering").pk)],
        ],
    }
    revisions = [revision]
    assert all(r.user is None for r in revisions)


def test_importing_a_column_left_out_keeps_what_is_stored(db):
    import_text(
        "communities.csv", "slug,name,kind,country,region\ntorup,Torup,village,DK,Zealand\n"
    )

    import_text("communities.csv", "slug,name\ntorup,Torup Village\n")

    community = Community.objects.get()
    assert (community.name, community.region, community.country.code) == (
        "Torup Village",
        "Zealand",
        "DK",
    )


# ---------------------------------------------------------------------------- broken files


def test_import_csv_reports_every_broken_row_and_writes_nothing(db, tmp_path):
    path = write(
        tmp_path,
        "communities.csv",
        "slug,name,kind,country,population,latitude,longitude,themes,representatives\n"
        "torup,Torup,village,DK,120,55.94,11.95,broadband,\n"
        "nowhere,Nowhere,village,XX,,,,,\n"
        "big,Big,town,FR,lots,,,,\n"
        "odd,Odd,village,FI,,,,unicorns;broadband,\n"
        "half,Half,village,SE,,55.0,,,\n"
        "anon,,village,DK,,,,,\n"
        'reps,Reps,village,DK,,,,,"[{name: 1}]"\n',
    )
    before = row_counts()

    with pytest.raises(ImportFailed) as failure:
        import_file(path)

    assert problems_of(failure) == [
        (3, "country", "Value 'XX' is not a valid choice."),
        (4, "population", "“lots” value must be an integer."),
        (5, "themes", "Unknown theme: unicorns."),
        (6, "longitude", "Give both latitude and longitude, or neither."),
        (7, "name", "This field cannot be blank."),
        (8, "representatives", "Not valid JSON: Expecting property name enclosed in double quotes"),
    ]
    assert {p.file for p in failure.value.problems} == {str(path)}
    assert row_counts() == before


def test_import_csv_with_an_unknown_column_names_it_on_the_header_line(db):
    with pytest.raises(ImportFailed) as failure:
        import_text("communities.csv", "slug,name,kind,country,mayor\ntorup,Torup,village,DK,Jo\n")

    [problem] = failure.value.problems
    assert (problem.row, problem.column) == (1, "mayor")
    assert problem.reason.startswith("Unknown column; expected some of: slug, name, kind,")
    assert not Community.objects.exists()


def test_import_csv_without_the_key_column_says_it_is_required(db):
    with pytest.raises(ImportFailed) as failure:
        import_text("communities.csv", "name,kind,country\nTorup,village,DK\n")

    assert problems_of(failure) == [(1, "slug", "This column is required.")]


def test_import_csv_row_with_too_many_cells_fails_the_whole_file(db):
    with pytest.raises(ImportFailed) as failure:
        import_text(
            "communities.csv",
            "slug,name,kind,country\ntorup,Torup,village,DK\npenela,Penela,municipality,PT,x\n",
        )

    assert problems_of(failure) == [(3, None, "The row has more cells than the header.")]
    assert not Community.objects.exists()


def test_import_row_without_key_is_reported(db):
    with pytest.raises(ImportFailed) as failure:
        import_text("communities.csv", "slug,name,kind,country\n,Torup,village,DK\n")

    assert problems_of(failure) == [(2, "slug", "This field is required.")]


def test_import_csv_rejects_goals_that_are_not_numbers(db):
    with pytest.raises(ImportFailed) as failure:
        import_text("communities.csv", "slug,name,kind,country,goals\ntorup,Torup,village,DK,3;x\n")

    assert problems_of(failure) == [(2, "goals", "Unknown Agenda 2030 goal: x.")]


def test_import_json_reports_values_of_the_wrong_type_and_writes_nothing(db):
    document = {
        "communities": [
            {"slug": "torup", "name": "Torup", "kind": "village", "country": "DK"},
            {"slug": "a", "name": "A", "kind": "village", "country": "DK", "population": "many"},
            {"slug": "b", "name": "B", "kind": "village", "country": "DK", "themes": 5},
            {"slug": "c", "name": "C", "kind": "village", "country": "DK", "representatives": {}},
            {"slug": "d", "name": "D", "kind": "village", "country": "DK", "translations": ["en"]},
        ],
        "practices": [
            {"slug": "p", "title": "P", "summary": "S", "is_published": "maybe"},
            {"slug": "q", "title": "Q", "summary": "S", "links": [{"url": "https://a.eu", "x": 1}]},
            {"slug": "r", "title": "R", "summary": "S", "links": [{"url": ["https://a.eu"]}]},
        ],
    }

    with pytest.raises(ImportFailed) as failure:
        import_text("hub.json", json.dumps(document))

    assert problems_of(failure) == [
        (2, "population", "“many” value must be an integer."),
        (3, "themes", "Expected a list."),
        (4, "representatives", "Expected a list of objects."),
        (5, "translations", "Translations must be an object keyed by language code."),
        (1, "is_published", "Write true or false, not “maybe”."),
        (2, "links", "Unknown keys x; expected some of: kind, position, title, url."),
        (3, "links", "Unexpected value for “url”."),
    ]
    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_import_json_reports_a_document_of_the_wrong_shape(db):
    document = {
        "towns": [],
        "communities": {"slug": "torup"},
        "practices": [3, {"slug": "p", "colour": "red"}],
    }

    with pytest.raises(ImportFailed) as failure:
        import_text("hub.json", json.dumps(document))

    assert problems_of(failure) == [
        (
            None,
            "towns",
            "Unknown kind; expected some of: "
            "organisations, networks, communities, practices, factsheets, series, events.",
        ),
        (None, "communities", "Expected a list of records."),
        (1, "practices", "Expected an object."),
        (2, "colour", "Unknown column."),
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "hub.json",
            '{"communities": [\n{"slug": "x",}]}',
            (2, None, "Not valid JSON: Expecting property name enclosed in double quotes"),
        ),
        (
            "hub.yaml",
            "communities:\n  - slug: [x\n",
            (3, None, "Not valid YAML: expected ',' or ']', but got '<stream end>'"),
        ),
        ("hub.json", "[]", (None, None, "The file must hold an object keyed by kind.")),
        ("hub.txt", "slug\ntorup\n", (None, None, "Use a .csv, .json or .yaml file.")),
    ],
)
def test_import_rejects_files_it_cannot_read(db, tmp_path, name, text, expected):
    path = write(tmp_path, name, text)

    with pytest.raises(ImportFailed) as failure:
        import_file(path)

    assert problems_of(failure) == [expected]
    assert failure.value.problems[0].file == str(path)


def test_import_csv_named_after_no_kind_asks_for_one(db):
    with pytest.raises(ImportFailed) as failure:
        import_text("places.csv", "slug\ntorup\n")

    assert problems_of(failure) == [
        (
            None,
            None,
            "Cannot tell what the file holds: name it after one of "
            "organisations, networks, communities, practices, factsheets, series, events "
            "or give --kind.",
        )
    ]


def test_import_rejects_a_file_that_is_not_utf8(db, tmp_path):
    path = tmp_path / "communities.csv"
    path.write_bytes("slug,name,kind,country\nkobenhavn,København,city,DK\n".encode("latin-1"))

    with pytest.raises(ImportFailed) as failure:
        import_file(path)

    assert problems_of(failure) == [(None, None, "The file is not UTF-8 text.")]
    assert not Community.objects.exists()


def test_import_of_a_missing_file_fails_cleanly(db, tmp_path):
    with pytest.raises(ImportFailed) as failure:
        import_file(tmp_path / "communities.csv")

    assert problems_of(failure) == [(None, None, "No such file.")]


def test_import_reads_a_csv_file_with_a_byte_order_mark(db, tmp_path):
    path = tmp_path / "communities.csv"
    path.write_bytes("slug,name,kind,country\ntorup,Torup,village,DK\n".encode("utf-8-sig"))

    import_file(path)

    assert list(Community.objects.values_list("slug", flat=True)) == ["torup"]


def test_problem_reads_as_file_row_column_and_reason():
    problem = Problem("communities.csv", 4, "population", "“lots” value must be an integer.")

    assert str(problem) == (
        "communities.csv, row 4, column “population”: “lots” value must be an integer."
    )


# ---------------------------------------------------------------------------- round trips


@pytest.fixture
def demo(db):
    return import_file(DEMO_FILE)


def test_loading_the_demo_again_changes_nothing_and_records_nothing(demo):
    # Times given in the event's zone and coordinates with fewer places are the same values.
    from villagehub.core.models import Revision
    from villagehub.events.models import Event

    import_file(DEMO_FILE)
    assert list(Revision.objects.values_list("object_id", "changes")) == []
    assert set(Event.objects.values_list("sequence", flat=True)) == {0}


def test_demo_loads_every_kind(demo):
    assert demo.counts == {
        "organisations": 7,
        "networks": 6,
        "communities": 5,
        "practices": 12,
        "factsheets": 1,
        "series": 2,
        "events": 9,
    }


def test_json_export_imports_back_to_the_same_export(demo, tmp_path):
    first = export_document()
    counts = row_counts()
    path = write(tmp_path, "hub.json", json.dumps(first, ensure_ascii=False))

    import_file(path)

    assert export_document() == first
    assert row_counts() == counts
    torup = next(c for c in first["communities"] if c["slug"] == "torup")
    assert torup["representatives"] == [
        {"name": "Peter Plant", "role": "Host of the 1st Smart Communities Café"}
    ]
    assert torup["latitude"] == "55.94000"


def test_csv_export_of_every_kind_imports_back_into_an_empty_database(demo, tmp_path):
    first = export_document()
    counts = row_counts()
    files = {}
    for kind in KINDS:
        files[kind] = tmp_path / f"{kind}.csv"
        files[kind].write_text(csv_text(kind), encoding="utf-8", newline="")
    for model in [Practice, Community, Network, Organisation, Factsheet]:
        model.objects.all().delete()
    assert row_counts() == dict.fromkeys(counts, 0)

    for path in files.values():
        import_file(path)

    assert export_document() == first
    assert row_counts() == counts


def test_csv_export_writes_lists_with_semicolons_and_nested_values_as_json(demo):
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(csv_text("communities")))}

    assert sorted(rows["raudanmaa"]["themes"].split(";")) == [
        "broadband",
        "cooperatives",
        "digital-services",
        "village-halls",
    ]
    assert json.loads(rows["raudanmaa"]["representatives"]) == [
        {"name": "Heini Niklas-Salminen", "role": "Host of the 3rd Smart Communities Café"}
    ]
    assert rows["raudanmaa"]["latitude"] == ""
    assert rows["torup"]["coordinates_approximate"] == "True"
    assert rows["torup"]["translations"] == ""


# Any text the hub stores: every character XML 1.0 allows.
TEXT = st.text(st.characters(exclude_categories=["Cs"])).map(xml_clean)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=TEXT.filter(lambda s: s and len(s) <= 200), description=TEXT)
@example(name="Torup\r", description="Line one\r\nLine two\rLine three\n")
def test_any_name_and_description_survive_a_csv_file_round_trip(db, tmp_path, name, description):
    community_upsert(slug="torup", name=name, kind="village", country="DK", description=description)
    path = tmp_path / "communities.csv"
    path.write_text(csv_text("communities"), encoding="utf-8", newline="")
    Community.objects.filter(slug="torup").update(name="Torup", description="")

    import_file(path)

    community = Community.objects.get(slug="torup")
    assert (community.name, community.description) == (name, description)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
JUNK_CELLS = st.sampled_from(
    ["", "x", "-1", "1e400", "NaN", "99999999999999999999", "[]", "{}", '[{"name": 1}]', "3;x"]
) | st.text(max_size=12)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(["communities", "practices", "factsheets"]), data=st.data())
def test_junk_in_any_column_fails_as_import_failed_and_nothing_else(db, kind, data):
    columns = KINDS[kind].columns
    csv_row = {c: data.draw(JUNK_CELLS, label=c) for c in columns}
    json_record = {c: data.draw(JSON_VALUES, label=c) for c in columns}
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerow(csv_row)
    before = row_counts()

    for name, text in [
        (f"{kind}.csv", out.getvalue()),
        ("hub.json", json.dumps({kind: [json_record]})),
    ]:
        try:
            import_text(name, text)
        except ImportFailed as failure:
            assert failure.problems
            assert row_counts() == before


# ---------------------------------------------------------------------------- bulk path


def _communities_csv(rows: list[str]) -> str:
    return "slug,name,kind,country,population,themes,goals,representatives\n" + "".join(
        f"{row}\n" for row in rows
    )


def _stored() -> list[tuple]:
    communities = [
        (
            c.slug, c.name, c.kind, c.country.code, c.population,
            sorted(c.themes.values_list("slug", flat=True)),
            sorted(c.goals.values_list("number", flat=True)),
            list(c.representatives.values_list("name", flat=True)),
        )
        for c in Community.objects.order_by("slug")
    ]  # fmt: skip
    documents = sorted(
        SearchDocument.objects.values_list(
            "kind", "title", "title_terms", "body_terms", "country", "size_band", "url"
        )
    )
    tags = sorted(SearchDocument.objects.values_list("title", "tags"))
    # PostgreSQL keeps the terms only in its index (search/postgres.py).
    return [communities, documents, tags, sorted(engine().index_words())]


ROWS = [
    f"v{n},Village {n},village,{'fi' if n % 2 else 'se'},{n * 700},broadband,{n % 17 + 1},"
    for n in range(12)
] + [
    'rep,Represented,town,dk,3000,,,"[{""name"": ""Aino""}]"',
    "v3,Village three again,town,fi,40000,school-canteens,4;9,",
]


def test_bulk_import_stores_what_importing_row_by_row_stores(db, monkeypatch):
    from villagehub.interchange import services

    monkeypatch.setattr(services, "BULK_BATCH", 5)
    services.import_text("communities.csv", _communities_csv(ROWS))
    in_batches = _stored()
    Community.objects.all().delete()
    SearchDocument.objects.all().delete()

    monkeypatch.setattr(services, "_in_bulk", lambda row, fields: False)
    services.import_text("communities.csv", _communities_csv(ROWS))
    assert _stored() == in_batches
    communities = {c[0]: c for c in in_batches[0]}
    assert communities["v3"] == (
        "v3",
        "Village three again",
        "town",
        "FI",
        40000,
        ["school-canteens"],
        [4, 9],
        [],
    )
    assert communities["rep"][-1] == ["Aino"]
    assert len(in_batches[1]) == 13


def test_bulk_import_reports_each_bad_row_and_writes_nothing(db, monkeypatch):
    from villagehub.interchange import services

    monkeypatch.setattr(services, "BULK_BATCH", 3)
    rows = [
        *ROWS[:4],
        "bad,Bad,village,fi,lots,,,",
        *ROWS[4:8],
        "worse,,hamlet,zz,10,,9,",
        "goal,Goal,village,fi,10,,99,",
    ]
    with pytest.raises(ImportFailed) as failure:
        services.import_text("communities.csv", _communities_csv(rows))
    assert problems_of(failure) == [
        (6, "population", "“lots” value must be an integer."),
        (11, "name", "This field cannot be blank."),
        (11, "kind", "Value 'hamlet' is not a valid choice."),
        (11, "country", "Value 'ZZ' is not a valid choice."),
        (12, "goals", "Unknown Agenda 2030 goal: 99."),
    ]
    assert Community.objects.count() == 0
