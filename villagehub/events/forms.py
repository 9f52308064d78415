from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from villagehub.core.forms import StoredTextForm

from .models import Feedback, Question


def _question_field(question: Question) -> forms.Field:
    common = {"label": question.label, "required": question.required}
    if question.kind == Question.Kind.CHOICE:
        choices = [(c, c) for c in question.choice_list]
        if not question.required:
            choices = [("", _("No answer")), *choices]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
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

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["language"].choices = [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["country"].widget.attrs["autocomplete"] = "country"
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
