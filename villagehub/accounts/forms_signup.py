"""The sign-up form's additions: consent to the privacy notice, recorded with its version, and
the language of the page as the language the hub writes to the person in."""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class SignupConsentForm(forms.Form):
    # allauth orders the fields by this list: the consent comes after the password.
    field_order = ["email", "password1", "password2", "privacy_consent"]

    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my account is kept as it says."),
        error_messages={"required": _("Please accept the privacy notice to create an account.")},
    )

    def signup(self, request, user) -> None:
        from .models import Consent
        from .services import account_language_set

        Consent.objects.create(user=user, notice_version=settings.PRIVACY_NOTICE_VERSION)
        account_language_set(
            user=user, language=translation.get_language() or settings.LANGUAGE_CODE
        )
