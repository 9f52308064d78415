from django import forms
from django.core.exceptions import ValidationError


def form_errors_add(form: forms.Form, error: ValidationError, *, name_others: bool = False) -> None:
    """Show a service's validation errors on the form: on their field where the form has it,
    above the form otherwise (prefixed by the field's name with `name_others`)."""
    for field, messages in error.message_dict.items():
        if field in form.fields:
            form.add_error(field, messages)
        else:
            form.add_error(None, f"{field}: {' '.join(messages)}" if name_others else messages)
