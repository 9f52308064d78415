"""Writes through the API: an editor's personal token proposes practices for the
communities they edit, through the same service and with the same review as the web form."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from villagehub.core.api import SLUG_PATTERN, ApiProblem, Problem, TokenAuth
from villagehub.core.models import CONTENT_LANGUAGE_CODES

from . import selectors, services
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
