"""Writes through the API: an editor's personal token proposes practices for the
communities they edit, through the same service and with the same review as the web form,
and publishes the communities' data sets in the catalogue, as the web form does."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from pydantic import Field

from villagehub.core.api import SLUG_PATTERN, ApiProblem, Problem, TokenAuth, page_url
from villagehub.core.models import CONTENT_LANGUAGE_CODES

from . import selectors, services
from .forms import DatasetForm
from .models import Submission

router = Router(tags=["contributions"], auth=TokenAuth())


class ProposalIn(Schema):
    community: str = Field(pattern=SLUG_PATTERN, max_length=100, description="Community slug.")
    practice: str | None = Field(
        None, pattern=SLUG_PATTERN, max_length=100, description="Practice to change; none: new."
    )
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=600)
    description: str = ""
    results: str = ""
    language: str = Field("en", description="Language the text is written in.")
    themes: list[str] = Field(default_factory=list, description="Theme slugs.")
    submit: bool = Field(True, description="Send for review (false keeps a draft).")


class SubmissionOut(Schema):
    id: int
    community: str
    practice: str | None
    status: str
    title: str
    comment: str
    updated_at: datetime


def submission_data(s: Submission) -> dict:
    return {
        "id": s.pk,
        "community": s.community.slug,
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
def submission_list_endpoint(request: HttpRequest):
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
def submission_create_endpoint(request: HttpRequest, proposal: ProposalIn):
    if proposal.language not in CONTENT_LANGUAGE_CODES:
        raise ApiProblem(
            status=400,
            title="Invalid request",
            errors=[("language", "not an EU language code")],
        )
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
    community: str = Field(
        pattern=SLUG_PATTERN, max_length=100, description="Slug of a community you edit."
    )
    title: str = Field(max_length=200)
    description: str
    language: str = Field("en", description="Language the title and description are written in.")
    keywords: list[str] = Field(default_factory=list, max_length=50)
    data_themes: list[str] = Field(
        default_factory=list, description="EU data theme codes (`AGRI`, `REGI`, ...)."
    )
    licence: str = Field(description="EU licence code (`CC_BY_4_0`, ...).")
    temporal_start: date | None = Field(None, description="The data covers from this day.")
    temporal_end: date | None = Field(None, description="The data covers until this day.")
    contact_email: str = ""
    access_url: str = Field(
        max_length=2000, description="Where the data is: a link (upload files on the web form)."
    )
    format: str = Field(description="EU file type code (`CSV`, `JSON`, ...).")


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


def _invalid_request(errors) -> ApiProblem:
    return ApiProblem(status=400, title="Invalid request", errors=errors)


@router.post(
    "/datasets",
    response={201: DatasetOut, 400: Problem, 401: Problem, 404: Problem},
    url_name="dataset-create",
    summary="Publish a data set of a community you edit in the catalogue (a link to the data)",
)
def dataset_create_endpoint(request: HttpRequest, dataset: DatasetIn):
    if dataset.language not in CONTENT_LANGUAGE_CODES:
        raise _invalid_request([("language", str(_("not an EU language code")))])
    commas = [k for k in dataset.keywords if "," in k]
    if commas:
        raise _invalid_request([("keywords", str(_("a keyword cannot contain a comma")))])
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
