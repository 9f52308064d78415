import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_stubs_ext import StrOrPromise

from villagehub.core.forms import StoredTextForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.practices.models import Practice

from . import selectors
from .models import (
    DEFAULT_OFFER_HOURS,
    Event,
    Feedback,
    HostRequest,
    Material,
    Question,
    Series,
    Session,
    Speaker,
    Sponsor,
)


def _question_field(question: Question) -> forms.Field:
    label, required = question.label, question.required
    if question.kind == Question.Kind.CHOICE:
        choices: list[tuple[str, StrOrPromise]] = [(c, c) for c in question.choice_list]
        if not required:
            choices = [("", _("No answer")), *choices]
        return forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, label=label, required=required
        )
    if question.kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choice_list],
            widget=forms.CheckboxSelectMultiple,
            label=label,
            required=required,
        )
    if question.kind == Question.Kind.YES_NO:
        return forms.ChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            widget=forms.RadioSelect,
            label=label,
            required=required,
        )
    return forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=label,
        required=required,
    )


class RegistrationDetailsForm(StoredTextForm):
    """What a person can give and later change; the e-mail address is given once."""

    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    community = forms.CharField(
        label=_("Community"),
        max_length=200,
        required=False,
        help_text=_("The village, town or community you come from, if any."),
    )
    country = CountryField(blank=True).formfield(label=_("Country"), required=False)
    role = forms.CharField(
        label=_("Role"),
        max_length=200,
        required=False,
        help_text=_("For example mayor, village activist, researcher."),
    )
    language = forms.ChoiceField(label=_("Preferred language for e-mails"), choices=[])
    contact_consent = forms.BooleanField(
        label=_("I agree to be contacted about later events of this network."), required=False
    )
    consent_recording = forms.BooleanField(
        label=_("I agree to be recorded (sound and picture) if the event is recorded."),
        required=False,
    )
    consent_publish = forms.BooleanField(
        label=_("I agree that my name and pictures of me are published in the event's report."),
        required=False,
        help_text=_("Without your agreement you are left out of the published report."),
    )
    plain_text_reminders = forms.BooleanField(
        label=_("Send me reminders in plain text only (lighter on a slow connection)."),
        required=False,
    )

    def __init__(self, *args, event, answers_editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["language"].choices = [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["country"].widget.attrs["autocomplete"] = "country"
        if answers_editable:
            for question in event.questions.all():
                self.fields[f"q_{question.pk}"] = _question_field(question)

    def answers(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value
        }

    def details(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("q_")}
        if any(name.startswith("q_") for name in self.fields):
            data["answers"] = self.answers()
        return data

    def question_fields(self):
        return [self[name] for name in self.fields if name.startswith("q_")]


class RegistrationForm(RegistrationDetailsForm):
    field_order = ["name", "email"]

    email = forms.EmailField(label=_("E-mail"), max_length=254)
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my registration is kept as it says.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["privacy_consent"].error_messages["required"] = _(
            "Please accept the privacy notice to register."
        )
        self.privacy_url = reverse("privacy")

    def details(self) -> dict:
        data = super().details()
        data.pop("privacy_consent", None)
        return data


class FeedbackForm(forms.ModelForm):
    would_attend_again = forms.TypedChoiceField(
        label=_("Would you attend an event like this again?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    recommend = forms.TypedChoiceField(
        label=_("How likely are you to recommend it to a colleague?"),
        help_text=_("0 means not at all likely, 10 extremely likely."),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with the event?"),
        help_text=_("1 means very dissatisfied, 5 very satisfied."),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Feedback
        fields = ["would_attend_again", "recommend", "satisfaction", "most_useful", "next_topics"]
        labels = {
            "most_useful": _("What was most useful to you?"),
            "next_topics": _("What should the next event be about?"),
        }
        widgets = {
            "most_useful": forms.Textarea(attrs={"rows": 3}),
            "next_topics": forms.Textarea(attrs={"rows": 3}),
        }


class AttendeeSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a participant"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        from .models import Registration

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Registration.Status.choices]


class ReportForm(StoredTextForm):
    """What the organisers write after the event, and what of it is public."""

    report_summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened and what participants took home, in a few paragraphs."),
    )
    report_key_points = forms.CharField(
        label=_("Key points"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line."),
    )
    translation_language = forms.ChoiceField(
        label=_("Translation into"),
        required=False,
        choices=[],
        help_text=_("Optional: the summary and key points in one more language."),
    )
    translation_summary = forms.CharField(
        label=_("Translated summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    translation_key_points = forms.CharField(
        label=_("Translated key points"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    practices: "forms.ModelMultipleChoiceField[Practice]" = forms.ModelMultipleChoiceField(
        label=_("Practices presented"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    other_practices = forms.CharField(
        label=_("Other practices presented"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Their address in the hub or short name (slug), one per line."),
    )
    report_published = forms.BooleanField(label=_("Publish the report"), required=False)
    recording_published = forms.BooleanField(
        label=_("Publish the recording in the report"), required=False
    )
    feedback_published = forms.BooleanField(
        label=_("Show the participants' results (with 5 answers or more)"), required=False
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["translation_language"].choices = [("", "—"), *CONTENT_LANGUAGES]
        self.fields["practices"].queryset = (
            Practice.objects.filter(
                Q(community_id=event.host_community_id, is_published=True) | Q(events=event)
            )
            .distinct()
            .order_by("title")
        )
        given = {c.speaker: c for c in event.speaker_consents.all()}
        sessions = list(event.sessions.all())
        self.people = [person for session in sessions for person in session.people.all()]
        for person in self.people:
            for what, label in (
                ("recording", _("%(speaker)s agrees that the talk is recorded")),
                ("publish", _("%(speaker)s agrees that their name and picture are published")),
            ):
                self.fields[f"person_{person.pk}_{what}"] = forms.BooleanField(
                    label=label % {"speaker": person.name},
                    required=False,
                    initial=getattr(person, f"{what}_consent"),
                )
        self.speakers = list(
            dict.fromkeys(s for session in sessions for s in selectors.speaker_lines(session))
        )
        for index, speaker in enumerate(self.speakers):
            consent = given.get(speaker)
            for what, label in (
                ("recording", _("%(speaker)s agrees that the talk is recorded")),
                ("publish", _("%(speaker)s agrees that their name and picture are published")),
            ):
                self.fields[f"speaker_{index}_{what}"] = forms.BooleanField(
                    label=label % {"speaker": speaker},
                    required=False,
                    initial=bool(consent and getattr(consent, what)),
                )

    def clean_other_practices(self):
        slugs = [
            line.strip().rstrip("/").rsplit("/", 1)[-1]
            for line in self.cleaned_data["other_practices"].splitlines()
            if line.strip()
        ]
        found = {p.slug: p for p in Practice.objects.filter(slug__in=slugs, is_published=True)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise forms.ValidationError(
                _("No published practice is called %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        return list(found.values())

    def clean(self):
        data = super().clean()
        language = data.get("translation_language")
        if language and language == self.event.language:
            self.add_error(
                "translation_language", _("This is the original language: choose another.")
            )
        elif not language and (
            data.get("translation_summary") or data.get("translation_key_points")
        ):
            self.add_error("translation_language", _("Say which language the translation is in."))
        return data

    def speaker_fields(self):
        return [self[name] for name in self.fields if name.startswith(("person_", "speaker_"))]

    def people_consents(self) -> list[tuple]:
        """(speaker row, recording, publish) for every person of the agenda."""
        return [
            (
                person,
                self.cleaned_data.get(f"person_{person.pk}_recording", False),
                self.cleaned_data.get(f"person_{person.pk}_publish", False),
            )
            for person in self.people
        ]

    def speaker_consents(self) -> list[tuple[str, bool, bool]]:
        """(speaker, recording, publish) for every speaker of the agenda."""
        return [
            (
                speaker,
                self.cleaned_data.get(f"speaker_{index}_recording", False),
                self.cleaned_data.get(f"speaker_{index}_publish", False),
            )
            for index, speaker in enumerate(self.speakers)
        ]


class PhotoForm(StoredTextForm):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("PNG, JPEG or WebP, at most 5 MB. Only people who agreed may be recognisable."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        help_text=_("What the photo shows, for people who cannot see it."),
    )


# The programme, run by coordinators and organisers ----------------------------------------

_DATETIME = {"type": "datetime-local"}


def _field(model, name: str, **kwargs) -> forms.Field:
    """The model's own form field: its label, help, validators and choices, translated once."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    field = model_field.formfield(**kwargs)
    if isinstance(field, forms.DateTimeField):
        field.widget = forms.DateTimeInput(_DATETIME, format="%Y-%m-%dT%H:%M")
    return field


def _checkboxes(model, name: str, queryset, **kwargs) -> forms.Field:
    return _field(
        model, name, queryset=queryset, widget=forms.CheckboxSelectMultiple, required=False,
        **kwargs,
    )  # fmt: skip


def _zone(value) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(str(value)) if value else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _local(value, zone):
    """A stored time as the form shows it: in the event's own time zone, without a zone."""
    return timezone.localtime(value, zone).replace(tzinfo=None) if value else None


class _Zoned:
    """Times are typed in the event's own time zone, whatever the reader's zone is."""

    zoned: tuple[str, ...] = ()
    cleaned_data: dict[str, Any]  # the form's, which this mixes into

    def _zone_apply(self, zone) -> None:
        for name in self.zoned:
            value = self.cleaned_data.get(name)
            if value:
                self.cleaned_data[name] = timezone.make_aware(timezone.make_naive(value), zone)


class AccountsField(forms.CharField):
    """People named by their e-mail address or user name, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        from allauth.account.models import EmailAddress
        from django.contrib.auth import get_user_model

        value = super().clean(value)
        User = get_user_model()
        users, unknown = [], []
        for line in (value or "").splitlines():
            name = line.strip()
            if not name:
                continue
            user = (
                User.objects.filter(username__iexact=name).first()
                or User.objects.filter(email__iexact=name).first()
                or User.objects.filter(
                    pk__in=EmailAddress.objects.filter(email__iexact=name).values("user_id")
                ).first()
            )
            if user is None:
                unknown.append(name)
            elif user not in users:
                users.append(user)
        if unknown:
            raise forms.ValidationError(
                _("There is no account for %(names)s."), params={"names": ", ".join(unknown)}
            )
        return users


def accounts_text(users) -> str:
    return "\n".join(user.email or user.get_username() for user in users)


class EventForm(_Zoned, StoredTextForm):
    zoned = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")

    def __init__(self, *args, user, event=None, **kwargs):
        from villagehub.communities.models import Community, Representative
        from villagehub.organisations.models import Organisation
        from villagehub.taxonomy.models import Goal, Theme

        from . import selectors

        super().__init__(*args, **kwargs)
        self.user, self.event = user, event
        self.networks_choosable = selectors.event_networks_for(user)
        series = selectors.series_managed_by(user)
        if event is not None and event.series_id:
            series = series | Series.objects.filter(pk=event.series_id)
        f = self.fields
        f["title"] = _field(Event, "title")
        f["kind"] = _field(Event, "kind")
        f["status"] = _field(Event, "status")
        f["series"] = _field(Event, "series", queryset=series.distinct())
        f["number"] = _field(Event, "number")
        f["number"].help_text = _("Empty: the next number of the series.")
        f["summary"] = _field(Event, "summary", widget=forms.Textarea(attrs={"rows": 3}))
        f["description"] = _field(Event, "description")
        f["objectives"] = _field(Event, "objectives", widget=forms.Textarea(attrs={"rows": 4}))
        f["language"] = _field(Event, "language")
        f["organiser_networks"] = _checkboxes(Event, "organiser_networks", self.networks_choosable)
        if event is None or selectors.event_coordinated_by(user, event):
            f["organisers"] = AccountsField(
                label=Event._meta.get_field("organisers").verbose_name.capitalize(),
                required=False,
                help_text=_(
                    "People with an account who manage only this event: their e-mail "
                    "addresses or user names, one per line."
                ),
            )
        f["organiser_organisations"] = _field(
            Event, "organiser_organisations", queryset=Organisation.objects.order_by("name")
        )
        f["host_community"] = _field(
            Event, "host_community", queryset=Community.objects.order_by("name")
        )
        f["host_representatives"] = _field(
            Event,
            "host_representatives",
            queryset=Representative.objects.select_related("community").order_by(
                "community__name", "position", "name"
            ),
        )
        f["host_representatives"].label_from_instance = lambda r: f"{r.name} ({r.community})"
        f["themes"] = _checkboxes(Event, "themes", Theme.objects.order_by("name"))
        f["goals"] = _checkboxes(Event, "goals", Goal.objects.all())
        f["languages"] = forms.MultipleChoiceField(
            label=Event._meta.get_field("languages").verbose_name.capitalize(),
            choices=CONTENT_LANGUAGES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        for name in (
            "time_zone", "date_precision", "starts_at", "ends_at", "date_note", "venue_name",
            "venue_address", "city", "country", "latitude", "longitude", "online_url",
            "capacity", "registration_open", "registration_opens_at",
            "registration_closes_at", "requires_approval", "waiting_list",
            "waitlist_offers", "waitlist_offer_hours", "check_in_minutes_before",
            "low_bandwidth",
        ):  # fmt: skip
            f[name] = _field(Event, name)
        f["time_zone"].help_text = _("Times are given in this time zone, e.g. Europe/Ljubljana.")
        # Left empty, an offer lasts the default time.
        f["waitlist_offer_hours"].required = False

    def zone(self) -> zoneinfo.ZoneInfo:
        return (
            _zone(self.data.get(self.add_prefix("time_zone")))
            or (self.event.zone if self.event else None)
            or zoneinfo.ZoneInfo(Event._meta.get_field("time_zone").default)
        )

    def clean(self):
        from . import services

        data = super().clean()
        if "time_zone" in data:
            self._zone_apply(self.zone())
        if data.get("waitlist_offer_hours") is None:
            data["waitlist_offer_hours"] = DEFAULT_OFFER_HOURS
        series = data.get("series")
        if series is not None and data.get("number") is None:
            data["number"] = services.series_next_number(series)
        if (
            self.event is None
            and not data.get("organiser_networks")
            and not (series and series in self.fields["series"].queryset)
        ):
            self.add_error(
                "organiser_networks",
                _("Choose one of your networks or one of your series: it runs the event."),
            )
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if self.event is not None:
            # Networks this person does not coordinate stay as they were.
            data["organiser_networks"] = [
                *self.event.organiser_networks.exclude(pk__in=self.networks_choosable),
                *data["organiser_networks"],
            ]
        return data

    @staticmethod
    def initial_for(event: Event | None) -> dict:
        if event is None:
            return {"status": Event.Status.DRAFT, "kind": Event.Kind.CAFE}
        zone = event.zone
        initial = {
            name: getattr(event, name)
            for name in (
                "title", "kind", "status", "series", "number", "summary", "description",
                "objectives", "language", "host_community", "languages", "time_zone",
                "date_precision", "date_note", "venue_name", "venue_address", "city",
                "country", "latitude", "longitude", "online_url", "capacity",
                "registration_open", "requires_approval", "waiting_list",
                "waitlist_offers", "waitlist_offer_hours", "check_in_minutes_before",
                "low_bandwidth",
            )
        }  # fmt: skip
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            initial[name] = _local(getattr(event, name), zone)
        for name in (
            "organiser_networks", "organiser_organisations", "host_representatives",
            "themes", "goals",
        ):  # fmt: skip
            initial[name] = list(getattr(event, name).all())
        initial["organisers"] = accounts_text(event.organisers.all())
        return initial


class SessionForm(_Zoned, StoredTextForm):
    zoned = ("starts_at", "ends_at")

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        for name in ("title", "starts_at", "ends_at"):
            self.fields[name] = _field(Session, name)
        self.fields["description"] = _field(
            Session, "description", widget=forms.Textarea(attrs={"rows": 3})
        )

    def clean(self):
        data = super().clean()
        self._zone_apply(self.zone)
        return data


class SpeakerForm(StoredTextForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "role", "organisation", "photo", "photo_description"):
            self.fields[name] = _field(Speaker, name)
        self.fields["publish_consent"] = _field(Speaker, "publish_consent")
        self.fields["publish_consent"].help_text = _(
            "Without it, the agenda does not show who speaks."
        )
        self.fields["recording_consent"] = _field(Speaker, "recording_consent")

    def clean(self):
        data = super().clean()
        if data.get("photo") and not (data.get("photo_description") or "").strip():
            self.add_error("photo_description", _("Describe what the photo shows."))
        return data


class QuestionForm(StoredTextForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("label", "kind", "choices", "required"):
            self.fields[name] = _field(Question, name)
        self.fields["choices"].widget = forms.Textarea(attrs={"rows": 3})

    def clean(self):
        data = super().clean()
        lines = [x for x in (data.get("choices") or "").splitlines() if x.strip()]
        if data.get("kind") == Question.Kind.CHOICE and len(lines) < 2:
            self.add_error("choices", _("Give at least two answers, one per line."))
        return data


class SponsorForm(StoredTextForm):
    def __init__(self, *args, **kwargs):
        from villagehub.organisations.models import Organisation

        super().__init__(*args, **kwargs)
        for name in ("name", "tier", "website"):
            self.fields[name] = _field(Sponsor, name)
        self.fields["organisation"] = _field(
            Sponsor, "organisation", queryset=Organisation.objects.order_by("name")
        )


class MaterialForm(StoredTextForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "title", "url"):
            self.fields[name] = _field(Material, name)


def _formset(form, **kwargs):
    return forms.formset_factory(form, extra=1, can_delete=True, **kwargs)


SessionFormSet = _formset(SessionForm)
SpeakerFormSet = _formset(SpeakerForm)
_ROWS = {
    "questions": (_formset(QuestionForm), ("label", "kind", "choices", "required")),
    "sponsors": (_formset(SponsorForm), ("name", "organisation", "tier", "website")),
    "materials": (_formset(MaterialForm), ("kind", "title", "url")),
}


def _kept(formset) -> list:
    """The rows to store: those that were there (unless deleted) and the new ones filled in."""
    return [
        form
        for i, form in enumerate(formset.forms)
        if not (formset.can_delete and form.cleaned_data.get("DELETE"))
        and (i < formset.initial_form_count() or form.has_changed())
    ]


class EventEditor:
    """The event's form with its agenda (each session with its speakers), questions,
    sponsors and materials: one page, one submit, no JavaScript needed."""

    def __init__(self, data=None, files=None, *, user, event: Event | None = None):
        self.event = event
        self.form = EventForm(
            data, files, user=user, event=event, initial=EventForm.initial_for(event)
        )
        zone = self.form.zone()
        sessions = list(event.sessions.prefetch_related("people")) if event else []
        self.sessions = SessionFormSet(
            data,
            files,
            prefix="sessions",
            form_kwargs={"zone": zone},
            initial=[
                {
                    "id": s.pk,
                    "title": s.title,
                    "starts_at": _local(s.starts_at, zone),
                    "ends_at": _local(s.ends_at, zone),
                    "description": s.description,
                }
                for s in sessions
            ],
        )
        for i, form in enumerate(self.sessions.forms):
            prefix = f"sessions-{i}-people"
            initial = [
                {
                    "name": p.name,
                    "role": p.role,
                    "organisation": p.organisation,
                    "photo": p.photo or None,
                    "photo_description": p.photo_description,
                    "publish_consent": p.publish_consent,
                    "recording_consent": p.recording_consent,
                }
                for p in (sessions[i].people.all() if i < len(sessions) else [])
            ]
            # A row added by "more rows" has no speakers in the data yet: shown empty.
            bound = data is not None and f"{prefix}-TOTAL_FORMS" in data
            form.people = SpeakerFormSet(
                data if bound else None, files if bound else None, prefix=prefix, initial=initial
            )
        self.rows = {}
        for name, (formset, columns) in _ROWS.items():
            rows = event.questions.all() if event and name == "questions" else []
            if event and name != "questions":
                rows = getattr(event, name).all()
            self.rows[name] = formset(
                data, prefix=name, initial=[{c: getattr(r, c) for c in columns} for r in rows]
            )

    def formsets(self):
        yield self.sessions
        for form in self.sessions.forms:
            yield form.people
        yield from self.rows.values()

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets():
            if formset.is_bound:
                valid = formset.is_valid() and valid
        if valid:
            for form in self.sessions.forms:
                gone = not form.cleaned_data.get("title") or form.cleaned_data.get("DELETE")
                if gone and form.people.is_bound and any(_kept_people(form)):
                    form.add_error("title", _("Give the session a title for its speakers."))
                    valid = False
        return valid

    def quiet(self) -> "EventEditor":
        """Show the data as typed without judging it: rows were only being added."""
        from django.forms.utils import ErrorDict, ErrorList

        self.form._errors = ErrorDict()  # type: ignore[attr-defined]  # Django's, not in the stubs
        for formset in self.formsets():
            formset._errors, formset._non_form_errors = [], ErrorList()
            for form in formset.forms:
                form._errors = ErrorDict()
                if form.is_bound:
                    _defaults_fill(form)
        return self

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(
            formset.is_bound and (formset.total_error_count() or formset.non_form_errors())
            for formset in self.formsets()
        )

    def service_fields(self) -> dict:
        fields = self.form.service_fields()
        fields["sessions"] = [
            {
                **{k: v for k, v in form.cleaned_data.items() if k != "DELETE"},
                "people": _kept_people(form),
            }
            for form in _kept(self.sessions)
        ]
        for name in self.rows:
            fields[name] = [
                {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
                for form in _kept(self.rows[name])
            ]
        return fields


def _defaults_fill(form) -> None:
    """Give a new row its fields' defaults (a list's preselected value) as if typed: shown
    empty instead, the browser would preselect the first value, and the untouched row would
    count as filled in."""
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        initial = form.get_initial_for_field(field, name)
        if (
            key not in form.data
            and initial not in (None, "")
            and not isinstance(field.widget, (forms.CheckboxInput, forms.FileInput))
        ):
            form.data[key] = initial


def _kept_people(session_form) -> list[dict]:
    if not session_form.people.is_bound:
        return []
    people = []
    for form in _kept(session_form.people):
        row = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        row["photo"] = row.get("photo") or ""
        people.append(row)
    return people


def editor_more_rows(data) -> dict:
    """The submitted data with one more empty row in every table: how a page without
    JavaScript adds rows (nothing is stored)."""
    data = data.copy()
    for key in list(data):
        if key.endswith("-TOTAL_FORMS"):
            data[key] = str(int(data[key] or 0) + 1)
    return data


class SeriesForm(StoredTextForm):
    def __init__(self, *args, user, series: Series | None = None, **kwargs):
        from . import selectors

        super().__init__(*args, **kwargs)
        self.series = series
        self.networks_choosable = selectors.event_networks_for(user)
        self.fields["name"] = _field(Series, "name")
        self.fields["description"] = _field(Series, "description")
        self.fields["language"] = _field(Series, "language")
        self.fields["networks"] = _checkboxes(Series, "networks", self.networks_choosable)
        self.fields["organisers"] = AccountsField(
            label=Series._meta.get_field("organisers").verbose_name.capitalize(),
            required=False,
            help_text=_(
                "People with an account who run only this series's events: their e-mail "
                "addresses or user names, one per line."
            ),
        )
        if series is not None:
            self.initial = {
                "name": series.name,
                "description": series.description,
                "language": series.language,
                "networks": list(series.networks.all()),
                "organisers": accounts_text(series.organisers.all()),
            }

    def clean(self):
        data = super().clean()
        if self.series is None and not data.get("networks"):
            self.add_error("networks", _("Choose the network that runs the series."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if self.series is not None:
            data["networks"] = [
                *self.series.networks.exclude(pk__in=self.networks_choosable),
                *data["networks"],
            ]
        return data


class HostRequestForm(StoredTextForm):
    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"] = _field(HostRequest, "community", queryset=communities)
        self.fields["theme"] = _field(HostRequest, "theme")
        self.fields["date_ideas"] = _field(
            HostRequest, "date_ideas", widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["speakers"] = _field(
            HostRequest, "speakers", widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["speakers"].help_text = _("Names and what they will talk about.")
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()


class HostDeclineForm(StoredTextForm):
    reason = forms.CharField(
        label=_("Why is the offer declined?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The proposer receives it by e-mail."),
    )
