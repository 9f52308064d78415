"""Writes through the API: an editor's personal token proposes practices for the
communities they edit, through the same service and with the same review as the web form,
and publishes the communities' data sets in the catalogue, as the web form does."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, cast

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool

from villagehub.catalogue.vocabularies import DATA_THEMES, FILE_TYPES, LICENCES
from villagehub.communities.models import Community
from villagehub.core.api import (
    FILLED_TEXT_PATTERN,
    SLUG_PATTERN,
    TEXT_PATTERN,
    ApiProblem,
    LanguageCode,
    Problem,
    TokenAuth,
    page_url,
)
from villagehub.core.types import AuthenticatedHttpRequest
from villagehub.taxonomy.vocabulary import theme_slugs

from . import selectors, services
from .forms import DatasetForm
from .models import Submission

router = Router(tags=["contributions"], auth=TokenAuth())


# The curated themes (taxonomy/vocabulary.yaml, loaded by a data migration): a closed list.
# The codes are read at run time (pydantic checks them and lists them in the OpenAPI schema);
# mypy cannot build a Literal from them, so to it they are strings.
if TYPE_CHECKING:
    ThemeSlug: TypeAlias = str
    DataTheme: TypeAlias = str
    LicenceCode: TypeAlias = str
    FileType: TypeAlias = str
else:
    ThemeSlug = Literal[tuple(theme_slugs())]
    DataTheme = Literal[tuple(DATA_THEMES)]
    LicenceCode = Literal[tuple(LICENCES)]
    FileType = Literal[tuple(FILE_TYPES)]
# Addresses every validator of the hub takes: http(s), a lower-case host name of a few
# labels, then anything but white space.
LINK_PATTERN = (
    r"^https?://([a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?\.){1,4}[a-z]{2,30}"
    r"([/?#][A-Za-z0-9._~%!$&'()*+,;=:@/?#-]*)?$"
)
_KEYWORD_CHAR = r"[^,\x00-\x1F\x7F\uFFFE\uFFFF]"
KEYWORD_PATTERN = rf"^{_KEYWORD_CHAR}*[^,\s\x00-\x1F\x7F\uFFFE\uFFFF]{_KEYWORD_CHAR}*$"


def _date_text(value: object) -> object:
    # JSON has no dates: a day is a string (`2026-01-31`), never a number of seconds.
    if isinstance(value, str | date):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_date_text)]
EMAIL_PATTERN = (
    r"^([A-Za-z0-9_+-]{1,30}(\.[A-Za-z0-9_+-]{1,30}){0,3}"
    r"@([a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?\.){1,4}[a-z]{2,30})?$"
)


class ProposalIn(Schema):
    """A practice proposed for review (`torup` is a demo community)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "community": "torup",
                    "title": "Village sauna",
                    "summary": "A sauna run by the village association.",
                    "language": "en",
                    "themes": ["volunteering"],
                }
            ]
        }
    )

    community: str = Field(pattern=SLUG_PATTERN, max_length=100, description="Community slug.")
    practice: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=100, description="Practice to change; none: new."
    )
    title: str = Field(min_length=1, max_length=200, pattern=TEXT_PATTERN)
    summary: str = Field(min_length=1, max_length=600, pattern=TEXT_PATTERN)
    description: str = Field("", pattern=TEXT_PATTERN)
    results: str = Field("", pattern=TEXT_PATTERN)
    language: LanguageCode = Field("en", description="Language the text is written in.")
    themes: list[ThemeSlug] = Field(default_factory=list, description="Theme slugs.")
    submit: StrictBool = Field(True, description="Send for review (false keeps a draft).")


class SubmissionOut(Schema):
    id: int
    community: str
    practice: str | None
    status: str
    title: str
    comment: str
    updated_at: datetime


def submission_data(s: Submission) -> dict[str, Any]:
    return {
        "id": s.pk,
        "community": cast(Community, s.community).slug,  # practice proposals have one
        "practice": s.practice.slug if s.practice else None,
        "status": s.status,
        "title": s.data.get("title", ""),
        "comment": s.comment,
        "updated_at": s.updated_at,
    }


@router.get(
    "/submissions",
    response={200: list[SubmissionOut], 401: Problem},
    url_name="submission-list",
    summary="Your practice proposals and their review status",
)
def submission_list_endpoint(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    own = Submission.objects.filter(
        author=request.user, kind=Submission.Kind.PRACTICE
    ).select_related("community", "practice")
    return [submission_data(s) for s in own[:500]]


@router.post(
    "/submissions",
    response={201: SubmissionOut, 400: Problem, 401: Problem, 404: Problem},
    url_name="submission-create",
    summary="Propose a new practice or a change, for a community you edit",
)
def submission_create_endpoint(
    request: AuthenticatedHttpRequest, proposal: ProposalIn
) -> tuple[int, dict[str, Any]]:
    community = selectors.community_get_for_editor(slug=proposal.community, user=request.user)
    practice = None
    if proposal.practice:
        practice = selectors.practice_get_for_editor(slug=proposal.practice, user=request.user)
        if practice.community_id != community.pk:
            raise ApiProblem(
                status=400,
                title="Invalid request",
                errors=[("practice", "belongs to another community")],
            )
    data = proposal.dict(exclude={"community", "practice", "submit"})
    try:
        submission = services.submission_save(
            author=request.user,
            community=community,
            practice=practice,
            data=data,
            submit=proposal.submit,
        )
    except ValidationError as error:
        raise ApiProblem(
            status=400,
            title="Invalid request",
            errors=[(field, " ".join(messages)) for field, messages in error.message_dict.items()],
        ) from None
    return 201, submission_data(submission)


class DatasetIn(Schema):
    """A community's data set, published at once (`torup` is a demo community)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "community": "torup",
                    "title": "Broadband coverage 2026",
                    "description": "Households with 100 Mbit/s or more, per street.",
                    "language": "en",
                    "keywords": ["broadband"],
                    "data_themes": ["TECH"],
                    "licence": "CC_BY_4_0",
                    "access_url": "https://data.torup.dk/coverage.csv",
                    "format": "CSV",
                }
            ]
        }
    )

    community: str = Field(
        pattern=SLUG_PATTERN, max_length=100, description="Slug of a community you edit."
    )
    title: str = Field(max_length=200, pattern=FILLED_TEXT_PATTERN)
    description: str = Field(max_length=10_000, pattern=FILLED_TEXT_PATTERN)
    language: LanguageCode = Field(
        "en", description="Language the title and description are written in."
    )
    keywords: list[Annotated[str, Field(max_length=100, pattern=KEYWORD_PATTERN)]] = Field(
        default_factory=list, max_length=50, description="Keywords, each without a comma."
    )
    data_themes: list[DataTheme] = Field(default_factory=list, description="EU data themes.")
    licence: LicenceCode = Field(description="EU licence code.")
    temporal_start: IsoDate | None = Field(None, description="The data covers from this day.")
    temporal_end: IsoDate | None = Field(
        None, description="The data covers until this day (not before `temporal_start`)."
    )
    contact_email: str = Field("", max_length=254, pattern=EMAIL_PATTERN)
    access_url: str = Field(
        max_length=500,
        pattern=LINK_PATTERN,
        description="Where the data is: a link (upload files on the web form).",
    )
    format: FileType = Field(description="EU file type code.")


class DistributionOut(Schema):
    title: str
    access_url: str
    format: str
    media_type: str


class DatasetOut(Schema):
    slug: str
    title: str
    community: str
    url: str = Field(description="The data set's page in the catalogue.")
    distributions: list[DistributionOut]
    created_at: datetime


def _invalid_request(errors: Iterable[tuple[str, str]]) -> ApiProblem:
    return ApiProblem(status=400, title="Invalid request", errors=errors)


@router.post(
    "/datasets",
    response={201: DatasetOut, 400: Problem, 401: Problem, 404: Problem},
    url_name="dataset-create",
    summary="Publish a data set of a community you edit in the catalogue (a link to the data)",
)
def dataset_create_endpoint(
    request: AuthenticatedHttpRequest, dataset: DatasetIn
) -> Status[dict[str, Any]]:
    community = selectors.community_get_for_editor(slug=dataset.community, user=request.user)
    # The web form's own checks (licence, themes, format, link, dates), so that both ways in
    # accept the same data sets.
    form = DatasetForm(
        {
            **dataset.dict(exclude={"community", "language", "keywords"}),
            "keywords": ", ".join(dataset.keywords),
        }
    )
    if not form.is_valid():
        raise _invalid_request(
            (field if field != "__all__" else "request", " ".join(str(e) for e in errors))
            for field, errors in form.errors.items()
        )
    try:
        published = services.community_dataset_publish(
            community=community, values={**form.cleaned_data, "language": dataset.language}
        )
    except ValidationError as error:
        raise _invalid_request(
            (field, " ".join(messages)) for field, messages in error.message_dict.items()
        ) from None
    return Status(
        201,
        {
            "slug": published.slug,
            "title": published.title,
            "community": community.slug,
            "url": page_url(request, published),
            "distributions": list(
                published.distributions.values("title", "access_url", "format", "media_type")
            ),
            "created_at": published.created_at,
        },
    )
