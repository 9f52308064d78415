"""Scoped lookups: what a person may see and change depends on their roles, and every view
finds records through these, so that guessing an id or slug reveals nothing."""

from collections.abc import Iterable
from typing import Any, NamedTuple, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import Country

from villagehub.accounts.models import Role
from villagehub.accounts.selectors import networks_coordinated
from villagehub.communities.models import Community, Network
from villagehub.core.models import Revision
from villagehub.core.types import AnyUser, User
from villagehub.countries.models import FACTSHEET_QUESTIONS, CapSupport, Factsheet, cap_key
from villagehub.events.models import Event
from villagehub.events.selectors import events_managed_by, report_sessions
from villagehub.organisations.models import Organisation
from villagehub.practices.models import Practice
from villagehub.taxonomy.models import GOAL_TITLES, FundingSource, Theme

from .models import Invitation, RoleRequest, Submission

# The practice fields editors write; relations are by slug.
PRACTICE_FIELDS = (
    "title",
    "summary",
    "description",
    "challenge",
    "approach",
    "involved",
    "results",
    "lessons",
    "budget_range",
    "funding_sources",
    "volunteers",
    "contact_role",
    "contact_email",
    "contact_consent",
    "language",
    "themes",
    "goals",
    "image_alt",
)
COMMUNITY_FIELDS = (
    "description",
    "website",
    "population",
    "population_year",
    "themes",
    "goals",
    "image_alt",
)
ORGANISATION_FIELDS = ("acronym", "website", "description")
NEW_PROVIDER_FIELDS = ("name", "acronym", "country", "website", "description", "language")
NEW_COMMUNITY_FIELDS = (
    "name",
    "kind",
    "country",
    "region",
    "population",
    "population_year",
    "website",
    "description",
    "language",
    "themes",
    "goals",
)


# A factsheet proposal: the country, the fixed question set, the CAP support per period.
CAP_FIELDS = tuple(
    name
    for period in CapSupport.Period.values
    for name in (cap_key(period), f"{cap_key(period)}_measures")
)
FACTSHEET_FIELDS = ("country", *FACTSHEET_QUESTIONS, *CAP_FIELDS, "language")


def fields_of(kind: str) -> tuple[str, ...]:
    fields: dict[str, tuple[str, ...]] = {
        Submission.Kind.COMMUNITY: COMMUNITY_FIELDS,
        Submission.Kind.ORGANISATION: ORGANISATION_FIELDS,
        Submission.Kind.NEW_COMMUNITY: NEW_COMMUNITY_FIELDS,
        Submission.Kind.FACTSHEET: FACTSHEET_FIELDS,
        Submission.Kind.NEW_PROVIDER: NEW_PROVIDER_FIELDS,
    }
    return fields.get(kind, PRACTICE_FIELDS)


def factsheet_networks(user: User, country: str = "") -> QuerySet[Network]:
    """The networks of one country (of any, without `country`) that a person coordinates:
    their coordinators write its factsheet and review each other's proposals."""
    networks = networks_coordinated(user).exclude(country="")
    return networks.filter(country=country.upper()) if country else networks


def factsheet_network_for_coordinator(*, country: str, user: User) -> Network:
    """The network through which a coordinator writes a country's factsheet."""
    network = factsheet_networks(user, country).order_by("name").first()
    if network is None or country.upper() not in countries:
        raise Http404
    return network


def factsheet_values(factsheet: Factsheet | None) -> dict[str, Any]:
    if factsheet is None:
        return {}
    values = {"country": cast(Country, factsheet.country).code, "language": factsheet.language}
    values.update({name: getattr(factsheet, name) for name in FACTSHEET_QUESTIONS})
    for period in CapSupport.Period.values:
        support = factsheet.cap_support_for(period)
        values[cap_key(period)] = support.support if support else ""
        values[f"{cap_key(period)}_measures"] = support.measures if support else ""
    return values


def organisations_edited_by(user: AnyUser) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        pk__in=Role.objects.filter(user=user, kind=Role.Kind.ORGANISATION_EDITOR).values(
            "organisation_id"
        )
    )


def organisation_get_for_editor(*, slug: str, user: User) -> Organisation:
    organisation = organisations_edited_by(user).filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation


def reviews_organisations(user: AnyUser) -> bool:
    """Organisations belong to no network: the back office reviews their profiles."""
    return user.is_authenticated and user.has_perm("organisations.change_organisation")


def organisation_reviewers() -> QuerySet[User]:
    """The active people who review organisations' profiles and new providers (see
    `reviews_organisations`), superusers included."""
    return get_user_model().objects.with_perm(
        "organisations.change_organisation", backend="django.contrib.auth.backends.ModelBackend"
    )


def invites_organisation_editors(user: AnyUser) -> bool:
    """Organisation roles are given by the back office: so are invitations to them."""
    return user.is_authenticated and user.has_perm("accounts.add_role")


def organisation_values(organisation: Organisation) -> dict[str, Any]:
    return {f: getattr(organisation, f) for f in ORGANISATION_FIELDS}


def community_values(community: Community) -> dict[str, Any]:
    return {
        "description": community.description,
        "website": community.website,
        "population": community.population,
        "population_year": community.population_year,
        "themes": sorted(t.slug for t in community.themes.all()),
        "goals": sorted(g.number for g in community.goals.all()),
        "image_alt": community.image_alt,
    }


def current_values(submission: Submission) -> dict[str, Any]:
    if submission.kind in (Submission.Kind.NEW_COMMUNITY, Submission.Kind.NEW_PROVIDER):
        return {}
    if submission.kind == Submission.Kind.FACTSHEET:
        return factsheet_values(
            Factsheet.objects.prefetch_related("cap_support")
            .filter(country=submission.data.get("country", ""))
            .first()
        )
    # A proposal of a change names the record it changes.
    if submission.kind == Submission.Kind.COMMUNITY:
        return community_values(cast(Community, submission.community))
    if submission.kind == Submission.Kind.ORGANISATION:
        return organisation_values(cast(Organisation, submission.organisation))
    return practice_values(submission.practice)


def communities_edited_by(user: AnyUser) -> QuerySet[Community]:
    if not user.is_authenticated:
        return Community.objects.none()
    return Community.objects.filter(
        pk__in=Role.objects.filter(user=user, kind=Role.Kind.COMMUNITY_EDITOR).values(
            "community_id"
        )
    )


def communities_reviewed_by(user: AnyUser) -> QuerySet[Community]:
    """The communities of the networks a person coordinates (all, for the back office)."""
    if not user.is_authenticated:
        return Community.objects.none()
    if user.has_perm("practices.change_practice"):
        return Community.objects.all()
    return Community.objects.filter(
        pk__in=Community.networks.through.objects.filter(
            network__in=networks_coordinated(user)
        ).values("community_id")
    )


def practices_looked_after_by(user: AnyUser) -> QuerySet[Practice]:
    """The practices a person edits (through their community) or reviews (as coordinator)."""
    if not user.is_authenticated:
        return Practice.objects.none()
    return Practice.objects.filter(
        Q(community__in=communities_edited_by(user))
        | Q(community__in=communities_reviewed_by(user))
    )


def community_get_for_editor(*, slug: str, user: User) -> Community:
    community = communities_edited_by(user).filter(slug=slug).first()
    if community is None:
        raise Http404
    return community


def practice_get_for_editor(*, slug: str, user: User) -> Practice:
    practice = Practice.objects.filter(community__in=communities_edited_by(user), slug=slug).first()
    if practice is None:
        raise Http404
    return practice


def submission_get_for_editor(*, pk: int, user: AnyUser) -> Submission:
    """An editor's own submission, for a community they still edit."""
    submission = (
        Submission.objects.filter(
            Q(community__in=communities_edited_by(user))
            | Q(event__in=events_managed_by(user), kind=Submission.Kind.PRACTICE)
            | Q(organisation__in=organisations_edited_by(user))
            | Q(kind=Submission.Kind.NEW_COMMUNITY, community__isnull=True)
            | Q(kind=Submission.Kind.FACTSHEET, network__in=factsheet_networks(user))
            | Q(kind=Submission.Kind.NEW_PROVIDER, organisation__isnull=True),
            author=user,
            pk=pk,
        )
        .select_related("community", "organisation", "practice")
        .first()
        if user.is_authenticated
        else None
    )
    if submission is None:
        raise Http404
    return submission


def reviews_new_communities(user: AnyUser) -> bool:
    return user.is_authenticated and (
        user.has_perm("practices.change_practice") or networks_coordinated(user).exists()
    )


def _reviewable(user: AnyUser) -> QuerySet[Submission]:
    scope = Q(community__in=communities_reviewed_by(user))
    if reviews_organisations(user):
        # Organisations belong to no network: the back office reviews new providers too.
        scope |= Q(organisation__isnull=False) | Q(kind=Submission.Kind.NEW_PROVIDER)
    if user.is_authenticated and user.has_perm("practices.change_practice"):
        scope |= Q(kind=Submission.Kind.NEW_COMMUNITY)
    elif user.is_authenticated:
        # Coordinators see the new communities that ask to join their networks.
        scope |= Q(kind=Submission.Kind.NEW_COMMUNITY, network__in=networks_coordinated(user))
    if user.is_authenticated and user.has_perm("countries.change_factsheet"):
        scope |= Q(kind=Submission.Kind.FACTSHEET)
    elif user.is_authenticated:
        # A factsheet is reviewed by another coordinator of a network of its country.
        countries_coordinated = factsheet_networks(user).values("country")
        scope |= Q(
            Q(kind=Submission.Kind.FACTSHEET, network__country__in=countries_coordinated)
            & ~Q(author=user)
        )
    return Submission.objects.filter(scope).select_related(
        "community", "organisation", "practice", "author", "network"
    )


def submissions_for_review(user: User) -> QuerySet[Submission]:
    """Submitted work only: a draft, or a proposal returned to its editor, is the editor's
    alone until it is sent (again); a published one is in the record's history."""
    return _reviewable(user).filter(status=Submission.Status.SUBMITTED)


def submission_get_for_reviewer(*, pk: int, user: User) -> Submission:
    submission = submissions_for_review(user).filter(pk=pk).first()
    if submission is None:
        raise Http404
    return submission


def role_requests_for_review(user: AnyUser) -> QuerySet[RoleRequest]:
    """Requests for the communities a person reviews, and for organisations if they may give
    roles in the back office."""
    scope = Q(community__in=communities_reviewed_by(user))
    if user.is_authenticated and user.has_perm("accounts.add_role"):
        scope |= Q(organisation__isnull=False)
    return RoleRequest.objects.filter(scope, status=RoleRequest.Status.PENDING).select_related(
        "community", "organisation", "user"
    )


def role_request_get_for_reviewer(*, pk: int, user: User) -> RoleRequest:
    request = role_requests_for_review(user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def practice_values(practice: Practice | None) -> dict[str, Any]:
    if practice is None:
        return {}
    return {
        "title": practice.title,
        "summary": practice.summary,
        "description": practice.description,
        "challenge": practice.challenge,
        "approach": practice.approach,
        "involved": practice.involved,
        "results": practice.results,
        "lessons": practice.lessons,
        "budget_range": practice.budget_range,
        "funding_sources": sorted(f.slug for f in practice.funding_sources.all()),
        "volunteers": practice.volunteers,
        "contact_role": practice.contact_role,
        "contact_email": practice.contact_email,
        "contact_consent": practice.contact_consent,
        "language": practice.language,
        "themes": sorted(t.slug for t in practice.themes.all()),
        "goals": sorted(g.number for g in practice.goals.all()),
        "image_alt": practice.image_alt,
    }


def practice_values_from_event(event: Event) -> dict[str, Any]:
    """A practice proposal started from an event: its host community's (the proposal's
    community), its themes, and the speakers' story told in the agenda."""
    sessions = list(event.sessions.all())
    approach = "\n\n".join(
        f"{s.title}\n{s.description}".strip() for s in sessions if s.description or s.title
    )
    # Only speakers who agreed that their name is published are named, as in the report.
    speakers = [name for row in report_sessions(event) for name in row.speakers]
    return {
        "title": sessions[0].title if len(sessions) == 1 else event.title,
        "summary": event.summary[:600],
        "approach": approach,
        "involved": "\n".join(dict.fromkeys(speakers)),
        "language": event.language,
        "themes": sorted(t.slug for t in event.themes.all()),
    }


class ReviewRow(NamedTuple):
    label: str
    now: str
    proposed: str
    changed: bool


def _model_of(kind: str) -> type[Community | Organisation | Factsheet | Practice]:
    models: dict[str, type[Community | Organisation | Factsheet | Practice]] = {
        Submission.Kind.COMMUNITY: Community,
        Submission.Kind.NEW_COMMUNITY: Community,
        Submission.Kind.ORGANISATION: Organisation,
        Submission.Kind.FACTSHEET: Factsheet,
        Submission.Kind.NEW_PROVIDER: Organisation,
    }
    return models.get(kind, Practice)


def _vocabulary_names(
    names: Iterable[str], values: list[dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """The names of the vocabularies' slugs (themes, funding sources) the values hold, one
    query per vocabulary."""
    language = get_language() or settings.LANGUAGE_CODE
    found: dict[str, dict[str, str]] = {}
    model_of: type[Theme | FundingSource]
    for relation, model_of in (("themes", Theme), ("funding_sources", FundingSource)):
        if relation in names:
            slugs = {slug for v in values for slug in v.get(relation, [])}
            found[relation] = {
                t.slug: t.localized("name", language).text
                for t in model_of.objects.filter(slug__in=slugs)
            }
    return found


def review_rows(submission: Submission) -> list[ReviewRow]:
    """The proposed values beside the published ones, as a reviewer reads them: field labels,
    theme names, language and country names instead of stored keys."""
    model = _model_of(submission.kind)
    current = current_values(submission)
    names = fields_of(submission.kind)
    themes = _vocabulary_names(names, [current, submission.data])
    rows = []
    for name in names:
        now, proposed = current.get(name, ""), submission.data.get(name, "")
        rows.append(
            ReviewRow(
                label=_field_label(model, name),
                now=_value_shown(name, now, model=model, themes=themes),
                proposed=_value_shown(name, proposed, model=model, themes=themes),
                changed=_comparable(now) != _comparable(proposed),
            )
        )
    return rows


def history_shown(
    submission: Submission, history: Iterable[Submission]
) -> list[tuple[Submission, list[Any]]]:
    """Each published change with the values it replaced, labelled and named as the review
    rows are (not as stored keys)."""
    history = list(history)
    model = _model_of(submission.kind)
    names = fields_of(submission.kind)
    themes = _vocabulary_names(names, [h.previous for h in history])
    return [
        (
            h,
            [
                (
                    _field_label(model, name),
                    _value_shown(name, h.previous[name], model=model, themes=themes),
                )
                for name in names
                if name in h.previous
            ],
        )
        for h in history
    ]


def _cap_labels() -> dict[str, str]:
    labels = {}
    for period, label in CapSupport.Period.choices:
        labels[cap_key(period)] = _("CAP support %(label)s") % {"label": label}
        labels[f"{cap_key(period)}_measures"] = _("CAP measures %(label)s") % {"label": label}
    return labels


def _field_label(model: type[Model], name: str) -> str:
    if name in CAP_FIELDS:
        return _cap_labels()[name]
    try:
        label = str(cast("Field[Any, Any]", model._meta.get_field(name)).verbose_name)
    except FieldDoesNotExist:  # a new community's proposal holds keys of its own
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _comparable(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(sorted(str(v) for v in value))
    return str(value)


def _value_shown(
    name: str, value: Any, *, model: type[Model], themes: dict[str, dict[str, str]]
) -> str:
    if value in (None, "", []):
        return ""
    if name in themes:
        return ", ".join(sorted(themes[name].get(slug, slug) for slug in value))
    if name == "goals":
        return ", ".join(f"{n}. {GOAL_TITLES[n]}" for n in sorted(value) if n in GOAL_TITLES)
    if name == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    if name == "country":
        return str(countries.name(value) or value)
    if name in CAP_FIELDS and not name.endswith("_measures"):
        return str(dict(CapSupport.Support.choices).get(value, value))
    if name in ("kind", "budget_range") or (
        model is Factsheet
        and name in FACTSHEET_QUESTIONS
        and cast("Field[Any, Any]", model._meta.get_field(name)).choices
    ):
        choices = dict(cast("Field[Any, Any]", model._meta.get_field(name)).choices or [])
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def history(submission: Submission) -> QuerySet[Submission]:
    """Who changed the record, when, from which values to which."""
    published = Submission.objects.filter(status=Submission.Status.PUBLISHED, kind=submission.kind)
    if submission.kind == Submission.Kind.COMMUNITY:
        published = published.filter(community=submission.community)
    elif submission.kind == Submission.Kind.ORGANISATION:
        published = published.filter(organisation=submission.organisation)
    elif submission.kind == Submission.Kind.PRACTICE and submission.practice_id:
        published = published.filter(practice=submission.practice)
    elif submission.kind == Submission.Kind.FACTSHEET:
        published = published.filter(data__country=submission.data.get("country", ""))
    else:
        return Submission.objects.none()
    return published.select_related("author", "decided_by").order_by("-decided_at", "-pk")


_INVITATION_SALT = "villagehub.contributions.invitation"
INVITATION_MAX_AGE_DAYS = 30


def invitation_token(invitation: Invitation) -> str:
    from django.core import signing

    return signing.dumps(invitation.pk, salt=_INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, or None for a forged, expired or unknown link."""
    from django.core import signing

    try:
        pk = signing.loads(token, salt=_INVITATION_SALT, max_age=INVITATION_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("community", "organisation").filter(pk=pk).first()


def revisions_visible(user: User, record: Model) -> QuerySet[Revision] | None:
    """A record's change history, for the coordinators who review it (None for others)."""
    from django.contrib.contenttypes.models import ContentType

    community = record if isinstance(record, Community) else getattr(record, "community", None)
    allowed = (
        communities_reviewed_by(user).filter(pk=community.pk).exists()
        if community is not None
        else reviews_organisations(user)
    )
    if not allowed:
        return None
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).select_related("user")[:50]
