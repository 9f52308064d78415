from datetime import datetime

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from villagehub.core.forms import StoredTextForm

from .models import Matchmaking, MatchProfile, MeetingRequest


def slot_label(slot, zone) -> str:
    start = timezone.localtime(slot.starts_at, zone)
    end = timezone.localtime(slot.ends_at, zone)
    return (
        formats.date_format(start, "SHORT_DATETIME_FORMAT")
        + "–"
        + formats.time_format(end, "TIME_FORMAT")
    )


class ProfileForm(StoredTextForm):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    offers = forms.CharField(
        label=MatchProfile._meta.get_field("offers").verbose_name,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    needs = forms.CharField(
        label=MatchProfile._meta.get_field("needs").verbose_name,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    available_slots = forms.MultipleChoiceField(
        label=_("When you can meet"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, matchmaking: Matchmaking, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {
            str(s.pk): s for s in matchmaking.slots.filter(is_break=False).order_by("starts_at")
        }
        zone = matchmaking.event.zone
        self.fields["available_slots"].choices = [
            (pk, slot_label(s, zone)) for pk, s in self.slots.items()
        ]

    def chosen_slots(self) -> list:
        return [self.slots[pk] for pk in self.cleaned_data["available_slots"]]


class RequestForm(StoredTextForm):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What would you like to talk about?"),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=MeetingRequest.Priority.choices,
        coerce=int,
        initial=MeetingRequest.Priority.NORMAL,
    )


class OutcomeForm(StoredTextForm):
    text = forms.CharField(
        label=_("What came of it"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SettingsForm(forms.Form):
    is_open = forms.BooleanField(label=_("Open to participants"), required=False)
    tables = forms.IntegerField(label=_("Tables"), min_value=1, max_value=500)


class SlotForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    is_break = forms.BooleanField(label=_("Break"), required=False)

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["starts_at"] = datetime.combine(data["day"], data["starts"], tzinfo=self.zone)
        data["ends_at"] = datetime.combine(data["day"], data["ends"], tzinfo=self.zone)
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends", _("The slot ends before it starts."))
        return data
