"""Reads the apps share."""

from typing import TypeVar

from django.db import models

from .text import name_key

M = TypeVar("M", bound=models.Model)


def name_twin(records: models.QuerySet[M], *, name: str, identical: bool = True) -> M | None:
    """The record among `records` whose name looks the same as `name` (`core.text.name_key`:
    lookalike letters, invisible characters, case and spacing aside), or None.

    With `identical=False` a record spelt exactly as `name` is no twin: only a lookalike is.
    Callers narrow `records` first (a country's communities), as every name is compared.
    """
    key = name_key(name)
    if not key:
        return None
    for pk, stored in records.values_list("pk", "name").iterator(chunk_size=2000):
        if name_key(stored) == key and (identical or stored != name):
            return records.get(pk=pk)
    return None
