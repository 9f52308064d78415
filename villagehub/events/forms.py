from django import forms
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from villagehub.core.forms import StoredTextForm
from villagehub.core.models import CONTENT_LANGUAGES
from villagehub.practices.models import Practice

from .models import Feedback, Question


def _question_field(question: Question) -> forms.Field:
    common = {"label": question.label, "required": question.required}
    if question.kind == Question.Kind.CHOICE:
        choices = [(c, c) for c in question.choice_list]
        if not question.required:
            choices = [("", _("No answer")), *choices]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choice_list],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if question.kind == Question.Kind.YES_NO:
        return forms.ChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
        )
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)


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
    practices = forms.ModelMultipleChoiceField(
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
        self.speakers = list(
            dict.fromkeys(s for session in event.sessions.all() for s in session.speaker_list)
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
        return [self[name] for name in self.fields if name.startswith("speaker_")]

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
