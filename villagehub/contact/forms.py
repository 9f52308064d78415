from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from villagehub.core.forms import StoredTextForm


class ContactForm(StoredTextForm):
    name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The answer comes to this address."),
    )
    body = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = _(
            "I agree that the hub keeps my name, address and message so that the coordinators "
            "can answer me; they are deleted after %(days)s days."
        ) % {"days": settings.CONTACT_RETENTION_DAYS}


class ReplyForm(StoredTextForm):
    body = forms.CharField(
        label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
