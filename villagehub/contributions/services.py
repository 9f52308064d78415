from collections.abc import Iterable
from typing import Any, TypeAlias, TypedDict, Unpack, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from villagehub.accounts.models import Role
from villagehub.accounts.services import role_grant
from villagehub.catalogue.models import Dataset
from villagehub.catalogue.services import dataset_create
from villagehub.communities.models import Community, Network
from villagehub.communities.services import community_create, community_update
from villagehub.core.selectors import name_twin
from villagehub.core.services import record_values, revision_record
from villagehub.core.types import User
from villagehub.countries.models import CapSupport, Factsheet, cap_key
from villagehub.countries.services import factsheet_upsert
from villagehub.events.models import Event
from villagehub.matching.follow_ups import practice_draft
from villagehub.matching.models import FollowUp
from villagehub.matching.services import follow_up_practice_published, follow_up_proposal_link
from villagehub.notices.models import Kind as NoticeKind
from villagehub.notices.selectors import path_for
from villagehub.notices.services import notices_create, notices_send
from villagehub.organisations.models import Organisation
from villagehub.organisations.services import (
    organisation_create,
    organisation_name_check,
    organisation_update,
)
from villagehub.practices.models import Practice
from villagehub.practices.services import practice_create, practice_update
from villagehub.taxonomy.models import GOAL_TITLES, FundingSource, Theme

from . import selectors
from .models import Invitation, RoleRequest, Submission

# What a published proposal writes.
Record: TypeAlias = Community | Organisation | Factsheet | Practice


def _notify(user: User | None, template: str, context: dict[str, Any], language: str) -> None:
    from .tasks import contribution_notify

    if user is not None and user.email:
        transaction.on_commit(
            lambda: contribution_notify.enqueue(user.pk, template, context, language)
        )


def _tell_author(submission: Submission, *, title: str, published: bool, path: str) -> None:
    """The editor hears the outcome as a notice (their inbox, and e-mail as they chose for
    the kind), the e-mail with the reviewer's comment in their language (the one they chose,
    else the one they wrote in), linking to `path` in it."""
    if submission.author is None:
        return
    context = {"title": title, "published": published, "comment": submission.comment}
    notices_send(
        users=[submission.author],
        kind=NoticeKind.PUBLISHED if published else NoticeKind.RETURNED,
        subject=title,
        path=path,
        language=submission.language,
        mail=("contributions/submission_decided", context),
    )


def _path(record: Record) -> str:
    """The record's address without a language prefix: each reader's notice adds theirs."""
    with translation.override(settings.LANGUAGE_CODE):
        return record.get_absolute_url()


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


# Requests to edit a community -------------------------------------------------------------


@transaction.atomic
def role_request_create(
    *,
    user: User,
    community: Community | None = None,
    organisation: Organisation | None = None,
    message: str = "",
) -> RoleRequest:
    """Ask to edit a community (its networks' coordinators decide) or an organisation (the
    back office decides)."""
    target = {"community": community} if community else {"organisation": organisation}
    kind = Role.Kind.COMMUNITY_EDITOR if community else Role.Kind.ORGANISATION_EDITOR
    if Role.objects.filter(user=user, kind=kind, **target).exists():
        raise ValidationError(_("You already edit this community."))
    pending = RoleRequest.objects.filter(
        user=user, status=RoleRequest.Status.PENDING, **target
    ).first()
    if pending:
        return pending
    request = RoleRequest(user=user, message=message.strip(), language=_language(), **target)
    request.full_clean()
    request.save()
    if community is not None:
        notices_create(
            networks=community.networks.all(),
            kind=NoticeKind.ROLE_REQUEST,
            subject=community.name,
            path=path_for("contributions:dashboard"),
        )
    return request


@transaction.atomic
def role_request_decide(*, request: RoleRequest, approve: bool) -> RoleRequest:
    request = RoleRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RoleRequest.Status.PENDING:
        return request
    request.status = RoleRequest.Status.APPROVED if approve else RoleRequest.Status.DECLINED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    if approve:
        role_grant(user=request.user, kind=request.kind, target=request.target)
    _notify(
        request.user,
        "role_request_decided",
        {"community": str(request.target), "approved": approve},
        request.language,
    )
    return request


# Submissions -------------------------------------------------------------------------------


# Proposed values that name records of a vocabulary rather than set a column.
RELATIONS = ("themes", "goals", "funding_sources")


def _check_themes(data: dict[str, Any]) -> None:
    unknown = set(data.get("themes", [])) - set(
        Theme.objects.filter(slug__in=data.get("themes", [])).values_list("slug", flat=True)
    )
    if unknown:
        raise ValidationError({"themes": _("Unknown themes: %(s)s.") % {"s": ", ".join(unknown)}})


def _check_funding_sources(data: dict[str, Any]) -> None:
    given = data.get("funding_sources", [])
    unknown = set(given) - set(
        FundingSource.objects.filter(slug__in=given).values_list("slug", flat=True)
    )
    if unknown:
        raise ValidationError(
            {
                "funding_sources": _("Unknown funding sources: %(s)s.")
                % {"s": ", ".join(sorted(unknown))}
            }
        )


def _check_goals(data: dict[str, Any]) -> None:
    unknown = {n for n in data.get("goals", []) if n not in GOAL_TITLES}
    if unknown:
        raise ValidationError(
            {"goals": _("Unknown goals: %(s)s.") % {"s": ", ".join(map(str, sorted(unknown)))}}
        )


def _check_community(community: Community, data: dict[str, Any], image: File[Any] | None) -> None:
    """Validate a profile proposal with the community's own rules, on a copy."""
    candidate = Community.objects.get(pk=community.pk)
    for name, value in data.items():
        if name not in RELATIONS:
            setattr(candidate, name, value)
    if image:
        candidate.image = image
    candidate.full_clean(validate_unique=False)
    _check_themes(data)
    _check_goals(data)


def _check(
    community: Community | None,
    data: dict[str, Any],
    practice: Practice | None,
    image: File[Any] | None,
) -> None:
    """Validate the proposal with the practice's own rules, before any reviewer sees it."""
    candidate = Practice(
        slug=practice.slug if practice else "proposal",
        community=community,
        image=image or (practice.image if practice else None),
        **{k: v for k, v in data.items() if k not in RELATIONS},
    )
    candidate.full_clean(exclude=["slug"], validate_unique=False)
    _check_themes(data)
    _check_goals(data)
    _check_funding_sources(data)


def _check_new_community(data: dict[str, Any], network: Network | None) -> None:
    """A community not yet in the hub: valid by the community's own rules, and not already
    there under the same name in the same country."""
    if network is None:
        raise ValidationError({"network": _("Choose the network the community would join.")})
    candidate = Community(slug="proposal", **{k: v for k, v in data.items() if k not in RELATIONS})
    candidate.full_clean(exclude=["slug"], validate_unique=False)
    twin = name_twin(Community.objects.filter(country=data["country"]), name=data["name"])
    if twin is not None:
        raise ValidationError(
            {
                "name": _("%(name)s is already in the hub: ask to edit it from its page instead.")
                % {"name": twin.name}
            }
        )
    _check_themes(data)
    _check_goals(data)


def _check_factsheet(data: dict[str, Any], network: Network | None) -> None:
    """A factsheet proposal: valid by the factsheet's own rules, for the country of the
    network its coordinator writes through."""
    if network is None or str(network.country) != data.get("country"):
        raise ValidationError(
            _("Only coordinators of a network of the country write its factsheet.")
        )
    existing = Factsheet.objects.filter(country=data["country"]).first()
    candidate = existing or Factsheet(country=data["country"])
    for name in selectors.FACTSHEET_FIELDS:
        if name in data and name not in selectors.CAP_FIELDS:
            setattr(candidate, name, data[name])
    candidate.full_clean(validate_unique=False)
    supports = CapSupport.Support.values
    for period in CapSupport.Period.values:
        if data.get(cap_key(period)) not in ("", None, *supports):
            raise ValidationError(
                {cap_key(period): _("Choose one of the listed kinds of support.")}
            )


def _check_new_provider(data: dict[str, Any]) -> None:
    """A solution provider not yet in the hub: valid by the organisation's own rules, and
    with no name like another organisation's."""
    candidate = Organisation(slug="proposal", kind=Organisation.Kind.SOLUTION_PROVIDER, **data)
    candidate.full_clean(exclude=["slug"], validate_unique=False)
    organisation_name_check(name=data["name"])
    twin = name_twin(Organisation.objects.filter(country=data["country"]), name=data["name"])
    if twin is not None:
        raise ValidationError(
            {
                "name": _("%(name)s is already in the hub: ask to edit it from its page instead.")
                % {"name": twin.name}
            }
        )


def _check_organisation(organisation: Organisation, data: dict[str, Any]) -> None:
    candidate = Organisation.objects.get(pk=organisation.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(validate_unique=False)


@transaction.atomic
def submission_save(
    *,
    author: User,
    community: Community | None = None,
    organisation: Organisation | None = None,
    data: dict[str, Any],
    submit: bool,
    submission: Submission | None = None,
    practice: Practice | None = None,
    kind: str = Submission.Kind.PRACTICE,
    network: Network | None = None,
    image: File[Any] | None = None,
    event: Event | None = None,
) -> Submission:
    """Create or change an editor's proposal (a practice, a profile, or a community not yet
    in the hub, to join `network`); `submit` sends it to the review queue."""
    if submission is not None and submission.status not in Submission.EDITABLE:
        raise ValidationError(_("This submission is waiting for review or was published."))
    kind = submission.kind if submission else kind
    data = {k: data[k] for k in selectors.fields_of(kind) if k in data}
    if kind == Submission.Kind.NEW_COMMUNITY:
        network = network or (submission.network if submission else None)
        _check_new_community(data, network)
    elif kind == Submission.Kind.NEW_PROVIDER:
        _check_new_provider(data)
    elif kind == Submission.Kind.COMMUNITY:
        image = image or (submission.image if submission else None)
        # A profile proposal names its record: given now, or when the proposal was saved.
        _check_community(
            cast(Community, community or getattr(submission, "community", None)), data, image
        )
    elif kind == Submission.Kind.ORGANISATION:
        _check_organisation(
            cast(Organisation, organisation or getattr(submission, "organisation", None)), data
        )
    elif kind == Submission.Kind.FACTSHEET:
        network = network or (submission.network if submission else None)
        _check_factsheet(data, network)
    else:
        image = image or (submission.image if submission else None)
        _check(community, data, practice or (submission.practice if submission else None), image)
    submission = submission or Submission(
        author=author,
        community=community,
        organisation=organisation,
        practice=practice,
        kind=kind,
        event=event if kind == Submission.Kind.PRACTICE else None,
    )
    if kind in (Submission.Kind.NEW_COMMUNITY, Submission.Kind.FACTSHEET):
        submission.network = network
    if kind in (Submission.Kind.PRACTICE, Submission.Kind.COMMUNITY) and image:
        submission.image = image
    submission.data = data
    submission.language = _language()
    newly_submitted = submit and submission.status != Submission.Status.SUBMITTED
    submission.status = Submission.Status.SUBMITTED if submit else Submission.Status.DRAFT
    submission.save()
    if newly_submitted and kind == Submission.Kind.FACTSHEET:
        notices_create(
            networks=Network.objects.filter(country=data["country"]),
            kind=NoticeKind.SUBMISSION,
            subject=str(submission),
            path=path_for("contributions:review", submission.pk),
        )
    elif newly_submitted and (submission.network or submission.community):
        notices_create(
            networks=[cast(Network, submission.network)]
            if kind == Submission.Kind.NEW_COMMUNITY
            else cast(Community, submission.community).networks.all(),
            kind=NoticeKind.NEW_COMMUNITY
            if kind == Submission.Kind.NEW_COMMUNITY
            else NoticeKind.SUBMISSION,
            subject=str(submission),
            path=path_for("contributions:review", submission.pk),
        )
    elif newly_submitted and kind in (Submission.Kind.NEW_PROVIDER, Submission.Kind.ORGANISATION):
        # Organisations belong to no network: those who review them are told.
        notices_send(
            users=selectors.organisation_reviewers(),
            kind=NoticeKind.SUBMISSION,
            subject=str(submission),
            path=path_for("contributions:review", submission.pk),
        )
    return submission


@transaction.atomic
def practice_propose_from_match(*, follow_up: FollowUp, author: User) -> Submission:
    """Start the practice proposal of a match that reached its reference installation: a
    draft of the need's community, prefilled from the need, the solution and the
    community, which the editor completes and sends for review like any proposal. Asked
    again, the proposal already started is returned."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.submission_id is not None:
        return cast(Submission, follow_up.submission)
    if follow_up.stage != FollowUp.Stage.REFERENCE:
        raise ValidationError(
            {"stage": _("A practice is proposed once the match is a reference installation.")}
        )
    submission = submission_save(
        author=author,
        community=follow_up.need.strategy.community,
        data=practice_draft(follow_up),
        submit=False,
    )
    follow_up_proposal_link(follow_up=follow_up, submission=submission)
    return submission


def _apply(submission: Submission, fields: dict[str, Any]) -> Record:
    """Write the proposed values through the record's own service; returns the record and
    keeps the values it replaces on the submission."""
    if submission.kind == Submission.Kind.NEW_COMMUNITY:
        # A proposed community always names its network (`_check_new_community`).
        community = community_create(**fields, networks=[cast(Network, submission.network)])
        if submission.author is not None:
            # Who proposed the community keeps it current.
            role_grant(user=submission.author, kind=Role.Kind.COMMUNITY_EDITOR, target=community)
        return community
    if submission.kind == Submission.Kind.NEW_PROVIDER:
        fields.pop("themes")
        organisation = organisation_create(kind=Organisation.Kind.SOLUTION_PROVIDER, **fields)
        if submission.author is not None:
            # Who proposed the provider presents its solutions.
            role_grant(
                user=submission.author, kind=Role.Kind.ORGANISATION_EDITOR, target=organisation
            )
        return organisation
    # A proposal of a change names the record it changes.
    if submission.kind == Submission.Kind.COMMUNITY:
        community = cast(Community, submission.community)
        submission.previous = selectors.community_values(community)
        if submission.image:
            fields["image"] = submission.image
        return community_update(community=community, **fields)
    if submission.kind == Submission.Kind.ORGANISATION:
        fields.pop("themes")
        organisation = cast(Organisation, submission.organisation)
        submission.previous = selectors.organisation_values(organisation)
        return organisation_update(organisation=organisation, **fields)
    if submission.kind == Submission.Kind.FACTSHEET:
        return _factsheet_apply(submission, fields)
    if "funding_sources" in fields:  # proposals made before they were asked for keep them
        fields["funding_sources"] = list(
            FundingSource.objects.filter(slug__in=fields["funding_sources"])
        )
    if submission.image:
        fields["image"] = submission.image
    if submission.practice is None:
        return practice_create(community=submission.community, is_published=True, **fields)
    submission.previous = selectors.practice_values(submission.practice)
    return practice_update(practice=submission.practice, is_published=True, **fields)


def _factsheet_apply(submission: Submission, fields: dict[str, Any]) -> Factsheet:
    fields.pop("themes")
    existing = Factsheet.objects.filter(country=fields["country"]).first()
    submission.previous = selectors.factsheet_values(existing)
    cap_support = [
        {
            "period": period,
            "support": support,
            "measures": fields.get(f"{cap_key(period)}_measures", ""),
        }
        for period in CapSupport.Period.values
        if (support := fields.get(cap_key(period)))
    ]
    values = {k: v for k, v in fields.items() if k not in selectors.CAP_FIELDS}
    # The date the published answers were last checked, as the comparison table shows it.
    values["last_updated"] = timezone.localdate()
    return factsheet_upsert(cap_support=cap_support, **values)


@transaction.atomic
def submission_publish(*, submission: Submission, by: User) -> Record:
    """Publish a proposal: the practice, community or organisation it changes is written,
    the change recorded with its previous values, and the editor told."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Only submitted proposals can be published."))
    fields = dict(submission.data)
    fields["themes"] = list(Theme.objects.filter(slug__in=fields.get("themes", [])))
    existing: Record | None = (
        submission.community
        if submission.kind == Submission.Kind.COMMUNITY
        else (submission.organisation or submission.practice)
    )
    if submission.kind == Submission.Kind.FACTSHEET:
        existing = Factsheet.objects.filter(country=submission.data.get("country", "")).first()
    before = record_values(existing) if existing else {}
    record = _apply(submission, fields)
    revision_record(instance=record, before=before, by=by, via="review")
    if submission.kind == Submission.Kind.PRACTICE:
        practice = cast(Practice, record)
        submission.practice = practice
        follow_up_practice_published(submission=submission, practice=practice)
        if submission.event_id:
            cast(Event, submission.event).practices.add(practice)
    elif submission.kind == Submission.Kind.NEW_COMMUNITY:
        submission.community = cast(Community, record)
    elif submission.kind == Submission.Kind.NEW_PROVIDER:
        submission.organisation = cast(Organisation, record)
    submission.status = Submission.Status.PUBLISHED
    submission.decided_at = timezone.now()
    submission.decided_by = by
    submission.comment = ""
    submission.save()
    _tell_author(submission, title=str(record), published=True, path=_path(record))
    return record


@transaction.atomic
def submission_return(*, submission: Submission, by: User, comment: str) -> Submission:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError(_("Only submitted proposals can be returned."))
    submission.status = Submission.Status.RETURNED
    submission.comment = comment.strip()
    submission.decided_at = timezone.now()
    submission.decided_by = by
    submission.save()
    _tell_author(
        submission,
        title=str(submission),
        published=False,
        path=path_for("contributions:submission", submission.pk),
    )
    return submission


# Invitations ---------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *,
    by: User,
    email: str,
    community: Community | None = None,
    organisation: Organisation | None = None,
) -> Invitation:
    """Invite someone to edit a community (its networks' coordinators may) or an organisation
    (those who give roles in the back office may)."""
    from .tasks import invitation_send

    if community is not None:
        if not selectors.communities_reviewed_by(by).filter(pk=community.pk).exists():
            raise ValidationError(_("You can invite editors only for your networks' communities."))
        target: dict[str, Community | Organisation] = {"community": community}
    else:
        if organisation is None or not selectors.invites_organisation_editors(by):
            raise ValidationError(_("You cannot invite editors for this organisation."))
        target = {"organisation": organisation}
    invitation = Invitation(
        email=email.strip().lower(), invited_by=by, language=_language(), **target
    )
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(lambda: invitation_send.enqueue(invitation.pk))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Invitation:
    from allauth.account.models import EmailAddress

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise ValidationError(
            _("This invitation is for %(email)s: sign in with that address, verified.")
            % {"email": invitation.email}
        )
    role_grant(user=user, kind=invitation.kind, target=invitation.target)
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return invitation


# Data sets ---------------------------------------------------------------------------------


class _DatasetPublisher(TypedDict, total=False):
    """Who publishes a proposed data set, and where it applies."""

    publisher_community: Community
    publisher_network: Network
    spatial_communities: list[Community]
    spatial_countries: list[str]


def _dataset_publish(values: dict[str, Any], **publisher: Unpack[_DatasetPublisher]) -> Dataset:
    values = dict(values)
    distribution = {
        "title": values["title"],
        "format": values.pop("format"),
        "file": values.pop("file", None),
        "access_url": values.pop("access_url", "") or "",
    }
    keywords = [k.strip() for k in values.pop("keywords", "").split(",") if k.strip()]
    return dataset_create(keywords=keywords, distributions=[distribution], **publisher, **values)


@transaction.atomic
def community_dataset_publish(*, community: Community, values: dict[str, Any]) -> Dataset:
    """Publish a data set of a community by its editor, into the hub's DCAT-AP catalogue."""
    dataset = _dataset_publish(
        values,
        publisher_community=community,
        spatial_communities=[community],
        spatial_countries=[cast(Country, community.country).code] if community.country else [],
    )
    notices_create(
        networks=community.networks.all(),
        kind=NoticeKind.DATASET,
        subject=str(dataset),
        path=path_for("catalogue:detail", dataset.slug),
    )
    return dataset


@transaction.atomic
def network_dataset_publish(*, network: Network, by: User, values: dict[str, Any]) -> Dataset:
    """Publish a data set of a network by one of its coordinators; it covers the countries
    of the network's communities."""
    from villagehub.accounts.selectors import networks_coordinated

    if not networks_coordinated(by).filter(pk=network.pk).exists():
        raise ValidationError(_("Only the network's coordinators publish its data sets."))
    countries = sorted(
        set(network.communities.exclude(country="").values_list("country", flat=True))
    )
    return _dataset_publish(values, publisher_network=network, spatial_countries=countries)


@transaction.atomic
def submissions_erase(*, author: User) -> int:
    """A person's proposals go, except those published: their content is the record now."""
    deleted, _per_model = (
        Submission.objects.filter(author=author)
        .exclude(status=Submission.Status.PUBLISHED)
        .delete()
    )
    return deleted


@transaction.atomic
def invitations_erase(*, emails: Iterable[str]) -> int:
    deleted, _per_model = Invitation.objects.filter(email__in=list(emails)).delete()
    return deleted
