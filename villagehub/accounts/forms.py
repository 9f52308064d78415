from django import forms
from django.utils.translation import gettext_lazy as _


class EraseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data will be erased for good."),
    )


class PersonLookupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person"))


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("What it is for, e.g. “village website”."),
    )
