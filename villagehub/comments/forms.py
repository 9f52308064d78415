from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from villagehub.core.forms import StoredTextForm
from villagehub.core.models import CONTENT_LANGUAGES


class CommentForm(StoredTextForm):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: links, lists and emphasis. Any language."),
    )
    language = forms.ChoiceField(label=_("Language of your comment"), choices=CONTENT_LANGUAGES)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("language", translation.get_language())
        super().__init__(*args, **kwargs)


class ReasonForm(StoredTextForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)
