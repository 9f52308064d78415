from django import forms

from .models import Kind, NoticePreference


class NoticePreferencesForm(forms.Form):
    """How to be told of each kind of notice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=NoticePreference.Frequency.choices
            )
