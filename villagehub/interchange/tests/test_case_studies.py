"""A practice's case study leaves and comes back through the import/export files whole."""

import io
import json

import pytest

from villagehub.interchange.services import (
    ImportFailed,
    export_csv,
    export_document,
    import_text,
)
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_create
from villagehub.taxonomy.models import FundingSource

pytestmark = pytest.mark.django_db

STORY = {
    "challenge": "The shop closed.",
    "approach": "A cooperative reopened it.",
    "involved": "120 households.",
    "results": "Open six days a week.",
    "lessons": "Ask first.",
    "budget_range": "under-10k",
    "volunteers": 12,
    "contact_role": "Chair",
    "contact_email": "shop@example.org",
    "contact_consent": True,
}


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_the_case_study_survives_an_export_and_an_import(suffix):
    practice_create(
        slug="shop",
        title="Village shop",
        summary="A shop.",
        funding_sources=[FundingSource.objects.get(slug="private")],
        translations={"en": {"lessons": "Ask first."}},
        language="sv",
        **STORY,
    )
    if suffix == "csv":
        out = io.StringIO(newline="")
        export_csv("practices", out)
        text = out.getvalue()
        assert text.splitlines()[0].count("contact_consent") == 1
    else:
        text = json.dumps({"practices": export_document()["practices"]})
    Practice.objects.all().delete()

    import_text(f"practices.{suffix}", text)

    practice = Practice.objects.get(slug="shop")
    assert {name: getattr(practice, name) for name in STORY} == STORY
    assert list(practice.funding_sources.values_list("slug", flat=True)) == ["private"]
    assert practice.translations == {"en": {"lessons": "Ask first."}}


def test_an_imported_contact_without_consent_is_refused_on_its_column():
    with pytest.raises(ImportFailed) as failure:
        import_text(
            "practices.csv",
            "slug,title,summary,contact_role,contact_consent\nshop,Shop,A shop.,Chair,no\n",
        )
    assert [(p.row, p.column) for p in failure.value.problems] == [(2, "contact_consent")]
    assert not Practice.objects.exists()
