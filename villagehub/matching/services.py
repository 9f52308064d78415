"""Following a match: contacted → met → pilot → reference installation → practice."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagehub.contributions.models import Submission
from villagehub.core.types import User
from villagehub.practices.models import Practice
from villagehub.solutions.models import ReferenceInstallation, Solution
from villagehub.solutions.services import reference_installation_add
from villagehub.strategies.models import Need

from .models import FollowUp

STAGES = list(FollowUp.Stage.values)


def follow_up_start(*, need: Need, solution: Solution, by: User) -> FollowUp:
    """Start following a match (at "contacted"); following it again returns the same one."""
    try:
        with transaction.atomic():
            return FollowUp.objects.create(
                need=need,
                solution=solution,
                stage=FollowUp.Stage.CONTACTED,
                history=[{"stage": FollowUp.Stage.CONTACTED, "at": timezone.now().isoformat()}],
                created_by=by,
            )
    except IntegrityError:
        return FollowUp.objects.get(need=need, solution=solution)


def _stage_set(follow_up: FollowUp, stage: str, now: datetime) -> None:
    follow_up.stage = stage
    follow_up.history = [*follow_up.history, {"stage": stage, "at": now.isoformat()}]
    follow_up.save(update_fields=["stage", "history", "updated_at"])


@transaction.atomic
def follow_up_advance(*, follow_up: FollowUp, stage: str) -> FollowUp:
    """Move a match on to a later stage. Reaching the reference installation records one
    for the need's community, if the solution has none there yet."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if stage not in STAGES:
        raise ValidationError({"stage": _("Unknown stage.")})
    if STAGES.index(stage) <= STAGES.index(follow_up.stage):
        raise ValidationError({"stage": _("A match only moves on to a later stage.")})
    if stage == FollowUp.Stage.PRACTICE:
        raise ValidationError(
            {"stage": _("A match reaches this stage when its practice proposal is published.")}
        )
    now = timezone.now()
    _stage_set(follow_up, stage, now)
    community = follow_up.need.strategy.community
    if (
        STAGES.index(stage) >= STAGES.index(FollowUp.Stage.REFERENCE)
        and community is not None
        and not ReferenceInstallation.objects.filter(
            solution=follow_up.solution, community=community
        ).exists()
    ):
        reference_installation_add(
            solution=follow_up.solution, community=community, year=now.year,
            achieved=follow_up.need.title,
        )  # fmt: skip
    return follow_up


@transaction.atomic
def follow_up_proposal_link(*, follow_up: FollowUp, submission: Submission) -> FollowUp:
    """Keep the practice proposal started from a match at its reference installation."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.stage != FollowUp.Stage.REFERENCE:
        raise ValidationError(
            {"stage": _("A practice is proposed once the match is a reference installation.")}
        )
    follow_up.submission = submission
    follow_up.save(update_fields=["submission", "updated_at"])
    return follow_up


@transaction.atomic
def follow_up_practice_published(*, submission: Submission, practice: Practice) -> None:
    """The practice proposed from a match was published: the match reaches its last
    stage and links to the practice. A proposal no match started changes nothing."""
    follow_up = FollowUp.objects.select_for_update().filter(submission=submission).first()
    if follow_up is None or follow_up.practice_id == practice.pk:
        return
    follow_up.practice = practice
    follow_up.save(update_fields=["practice", "updated_at"])
    if follow_up.stage != FollowUp.Stage.PRACTICE:
        _stage_set(follow_up, FollowUp.Stage.PRACTICE, timezone.now())
