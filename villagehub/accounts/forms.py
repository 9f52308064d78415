from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from villagehub.core.forms import StoredTextForm


class EraseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data will be erased for good."),
    )


class PersonLookupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person"))


class ApiTokenForm(StoredTextForm):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("What it is for, e.g. “village website”."),
    )


class ApiTokenRevokeForm(forms.Form):
    revoke = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class FollowForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes you follow"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        from django.utils import translation

        from villagehub.taxonomy.models import Theme

        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        language = translation.get_language() or "en"
        self.fields["themes"].label_from_instance = lambda t: t.localized("name", language).text


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of your e-mails"),
        choices=[],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own name, as a person looks for their own.
        self.fields["language"].choices = [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ]
