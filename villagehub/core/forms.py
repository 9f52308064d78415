from django import forms
from django.core.exceptions import ValidationError

from .text import form_text_validate


def form_errors_add(form: forms.Form, error: ValidationError, *, name_others: bool = False) -> None:
    """Show a service's validation errors on the form: on their field where the form has it,
    above the form otherwise (prefixed by the field's name with `name_others`)."""
    for field, messages in error.message_dict.items():
        if field in form.fields:
            form.add_error(field, messages)
        else:
            form.add_error(None, f"{field}: {' '.join(messages)}" if name_others else messages)


class StoredTextForm(forms.Form):
    """A form whose text is stored: values holding characters XML 1.0 forbids are refused on
    their field, as the models' own validation refuses them (`core.text`)."""

    def _post_clean(self):
        super()._post_clean()
        for name, error in form_text_validate(self.cleaned_data).items():
            self.add_error(name, error)
