"""What the hub refuses, neutralises or compares in text written by people.

- Characters XML 1.0 forbids (C0 controls but tab, line feed and carriage return; lone
  surrogates; U+FFFE and U+FFFF) are refused at every write (`xml_text_validate`, installed on
  every text field by `text_validators_install`) and stripped from every XML document the hub
  writes anyway (`xml_clean`), so that text stored before the rule cannot break a feed.
- A spreadsheet cell that would start a formula is neutralised with a leading apostrophe
  (`cell_neutralise`), as OWASP advises against CSV injection; `cell_restore` undoes exactly
  that, so that a CSV download imports back unchanged.
- Names are compared by their Unicode TR39 skeleton (`name_key`), so that "Тorup" with a
  Cyrillic Т, or "Tor\u200bup" with a zero-width space, is the same name as "Torup".
"""

import re
import unicodedata
from typing import Any

from disarm import skeleton_key
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Everything outside XML 1.0's Char production.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_forbidden_find(text: str) -> str | None:
    """The first character of `text` that XML 1.0 forbids, or None."""
    found = XML_FORBIDDEN.search(text)
    return found.group() if found else None


def xml_clean(text: str) -> str:
    """`text` without the characters XML 1.0 forbids: for every XML writer's output."""
    return XML_FORBIDDEN.sub("", text)


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def xml_text_validate(value: Any) -> None:
    """Refuse text (or JSON holding text) with a character XML 1.0 forbids."""
    for text in _strings(value):
        character = xml_forbidden_find(text)
        if character is not None:
            raise ValidationError(
                _(
                    "This text holds an invisible control character (U+%(code)s) that cannot "
                    "be stored. Remove it and try again."
                ),
                code="control_character",
                params={"code": f"{ord(character):04X}"},
            )


def _is_text_field(field: models.Field) -> bool:
    return isinstance(field, (models.CharField, models.TextField, models.JSONField))


def text_validators_install() -> None:
    """Put `xml_text_validate` on every text field of the hub's models.

    Every write that validates a record (`model_save`, the bulk upserts, model forms, the
    back office) then refuses forbidden characters, naming the field. The validator is
    added to the field's validators at start-up, not declared on each field, so that no
    migration names it.
    """
    for model in apps.get_models():
        if not model.__module__.startswith("villagehub."):
            continue
        for field in model._meta.concrete_fields:
            if _is_text_field(field) and xml_text_validate not in field.validators:
                field.validators.append(xml_text_validate)


def form_text_validate(cleaned_data: dict[str, Any]) -> dict[str, ValidationError]:
    """The errors of a form's cleaned values that hold characters XML 1.0 forbids, by
    field name: for forms whose values are stored without a model's validation."""
    errors = {}
    for name, value in cleaned_data.items():
        try:
            xml_text_validate(value)
        except ValidationError as error:
            errors[name] = error
    return errors


# ---------------------------------------------------------------------------- cells

_FORMULA_STARTS = frozenset("=+-@＝＋－＠")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _is_lead_in(character: str) -> bool:
    # What a spreadsheet may skip before it reads a formula: separators, white space and
    # invisible characters (control and format characters).
    return (
        character == ";" or character.isspace() or unicodedata.category(character) in ("Cc", "Cf")
    )


def _starts_formula(text: str) -> bool:
    if _NUMBER.fullmatch(text):
        return False  # "-3" or "+45.2" is a number to a spreadsheet, not a formula
    for character in text:
        if not _is_lead_in(character):
            return character in _FORMULA_STARTS
    return False


def _needs_apostrophe(text: str) -> bool:
    # Text that already starts with apostrophes before a formula gets one more too, so that
    # `cell_restore` can tell the apostrophe it must remove from one that was written.
    return _starts_formula(text.lstrip("'"))


def cell_neutralise(value: Any) -> Any:
    """A value for a CSV or XLSX cell: text that a spreadsheet would run as a formula
    gets a leading apostrophe; numbers and other values stay as they are."""
    if isinstance(value, str) and _needs_apostrophe(value):
        return "'" + value
    return value


def cell_restore(value: Any) -> Any:
    """The value `cell_neutralise` was given: undoes exactly its apostrophe."""
    if isinstance(value, str) and value.startswith("'") and _needs_apostrophe(value[1:]):
        return value[1:]
    return value


# ---------------------------------------------------------------------------- names


def name_key(name: str) -> str:
    """The key two names are compared by: NFKC-normalised, without invisible characters,
    confusable letters mapped to their prototype (the Unicode TR39 skeleton), lowercased
    and with white space collapsed."""
    return skeleton_key(unicodedata.normalize("NFKC", name or ""))
