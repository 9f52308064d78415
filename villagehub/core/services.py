"""Helpers the domain services share; the services in each app are the one write path."""

import datetime
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import images
from .models import PageView, Revision
from .personal_data import Mention
from .selectors import name_twin
from .types import User

M = TypeVar("M", bound=models.Model)


def unique_slug(model: type[models.Model], text: str, *, exclude_pk: Any = None) -> str:
    base = slugify(text)[:80].strip("-") or "item"
    slug, n = base, 2
    existing = model._default_manager.filter(slug__startswith=base)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.values_list("slug", flat=True))
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def record_upsert(
    model: type[M],
    *,
    slug: str,
    create: Callable[..., M],
    update: Callable[[M, dict[str, Any]], M],
    fields: Mapping[str, Any],
) -> M:
    """Update the record with this slug, or create it: what imports and the demo need.

    The row is locked first, so that two imports of the same record cannot both create it.
    Callers wrap it in their own transaction.
    """
    existing = model._default_manager.select_for_update().filter(slug=slug).first()
    if existing is None:
        # Only changes to stored records are revisions: a new one had no previous values.
        return create(slug=slug, **fields)
    before = record_values(existing)
    record = update(existing, dict(fields))
    revision_record(instance=record, before=before, by=None, via=_revision_via.get())
    return record


def model_save(instance: M, fields: Mapping[str, Any]) -> M:
    """Set fields (many-to-many included), validate the whole record and save it.

    Raises ValidationError keyed by field name, so that forms, the API and the importer can
    say which field is wrong. Callers wrap it in their own transaction.
    """
    m2m_names = {f.name for f in instance._meta.many_to_many}
    unknown = set(fields) - m2m_names - {f.name for f in instance._meta.concrete_fields}
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no fields {sorted(unknown)}")
    for name, value in fields.items():
        if name not in m2m_names:
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name in m2m_names & set(fields):
        getattr(instance, name).set(fields[name])
    return instance


def _choice_sets(model: type[models.Model]) -> dict[models.Field[Any, Any], set[Any]]:
    """The valid values of each field with choices, as sets, for `_full_clean`.

    Django checks a value against a field's choices by walking them, and a country field
    builds its 250 choices again on every check: a millisecond per record. Only for models
    without constraints, whose checks `full_clean(exclude=...)` would skip.
    """
    if model._meta.constraints:
        return {}
    return {
        f: {value for value, _label in f.flatchoices}
        for f in model._meta.concrete_fields
        if f.choices is not None and f.editable
    }


def _full_clean(
    instance: models.Model, choices: dict[models.Field[Any, Any], set[Any]], key: str
) -> None:
    """`full_clean` as `model_save` runs it, with the choices checked against sets."""
    errors: dict[str, list[Any]] = {}
    try:
        instance.full_clean(exclude=[f.name for f in choices], validate_unique=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for field, valid in choices.items():
        raw = getattr(instance, field.attname)
        if field.blank and raw in field.empty_values:
            continue
        try:
            value = field.to_python(raw)
            if value not in field.empty_values and value not in valid:
                raise ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": value},
                )
            if value in field.empty_values:
                field.validate(value, instance)
            field.run_validators(value)
            setattr(instance, field.attname, value)
        except ValidationError as error:
            errors.setdefault(field.name, []).extend(error.error_list)
    # The key is unique and matched by the caller; other unique fields are still checked.
    try:
        instance.validate_unique(exclude=[key])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def records_bulk_upsert(
    model: type[M], *, key: str, records: Sequence[Mapping[str, Any]], defaults: Mapping[str, Any]
) -> tuple[list[M], list[M], dict[int, ValidationError]]:
    """Upsert many records by key in a few queries, validating each one as `model_save` does.

    Every record is set on its stored row (or a new one with `defaults` under its fields)
    and fully validated; the valid ones are written with one bulk insert, one bulk update and
    one insert per many-to-many relation. Returns the created and the updated records and the
    validation error of each invalid record, by position. Keys must not repeat within a call;
    callers wrap it in their own transaction.
    """
    keys = [record[key] for record in records]
    if len(set(keys)) != len(keys):
        raise ValueError("keys repeat within one bulk upsert")
    stored = {
        getattr(o, key): o
        for o in model._default_manager.select_for_update().filter(**{f"{key}__in": keys})
    }
    # Many-to-many fields are read through their reflective API, which django-stubs types
    # only in part.
    m2m: dict[str, Any] = {f.name: f for f in model._meta.many_to_many}
    choices = _choice_sets(model)
    created, updated, errors = [], [], {}
    changed_fields: set[str] = set()
    before = _bulk_values(model, list(stored.values()), m2m)
    for index, fields in enumerate(records):
        unknown = set(fields) - set(m2m) - {f.name for f in model._meta.concrete_fields}
        if unknown:
            raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
        instance = stored.get(fields[key])
        if instance is None:
            instance = model(**{key: fields[key]}, **defaults)
        for name, value in fields.items():
            if name not in m2m:
                setattr(instance, name, value)
        try:
            _full_clean(instance, choices, key)
        except ValidationError as error:
            errors[index] = error
            continue
        if instance.pk is None:
            created.append(instance)
        else:
            updated.append(instance)
            changed_fields |= set(fields) - set(m2m) - {key}
    model._default_manager.bulk_create(created, batch_size=500)
    if updated:
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            now = timezone.now()
            for instance in updated:
                cast(Any, instance).updated_at = now
            changed_fields.add("updated_at")
        if changed_fields:
            model._default_manager.bulk_update(updated, sorted(changed_fields), batch_size=500)
    written = {getattr(i, key): i for i in created + updated}
    for name, field in m2m.items():
        owners = [written[r[key]] for r in records if name in r and r[key] in written]
        if not owners:
            continue
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        through._default_manager.filter(**{f"{source}__in": owners}).delete()
        by_key = {r[key]: r[name] for r in records if name in r}
        through._default_manager.bulk_create(
            (
                through(**{f"{source}_id": owner.pk, f"{target}_id": related.pk})
                for owner in owners
                for related in dict.fromkeys(by_key[getattr(owner, key)])
            ),
            batch_size=1000,
        )
    _revisions_bulk_record(model, before, written, records, key, m2m)
    return created, updated, errors


def database_analyze() -> None:
    """Refresh the query planner's statistics after a bulk load (on PostgreSQL, outside a
    transaction, with a vacuum: see below).

    Without them SQLite may drive a filtered list from the wrong table (measured: 42 s
    instead of 1.3 s for a filtered practice search over 300,000 practices).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # After a bulk load the vacuum also marks the new pages all-visible, so that
            # index-only scans need not visit the rows (the search rebuild itself empties its
            # table with TRUNCATE and analyses it alone). VACUUM cannot run inside a
            # transaction (tests run in one).
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


def _concrete_values(instance: models.Model) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in {"created_at", "updated_at"}:
            continue
        value = field.value_from_object(instance)
        places = getattr(field, "decimal_places", None)
        # One spelling per value, as stored: a time in UTC, a decimal to its places.
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        elif isinstance(value, Decimal) and places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
        values[field.name] = (
            value
            if isinstance(value, (str, int, float, bool, type(None), dict, list))
            else str(value)
        )
    return values


def record_values(instance: models.Model) -> dict[str, Any]:
    """A record's field values as JSON-ready data (relations by id, lists sorted)."""
    values = _concrete_values(instance)
    if instance.pk:
        for field in instance._meta.many_to_many:
            values[field.name] = sorted(
                str(pk) for pk in getattr(instance, field.name).values_list("pk", flat=True)
            )
    return values


# What imports record as the source of their changes; `revisions_via` names the file.
_revision_via: ContextVar[str] = ContextVar("revision_via", default="import")


@contextmanager
def revisions_via(via: str) -> Iterator[None]:
    """Record the changes made inside the block as made through `via` (e.g. "import x.csv")."""
    token = _revision_via.set(via[:40])
    try:
        yield
    finally:
        _revision_via.reset(token)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    # A new record's empty fields are no change worth a line in its history.
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value and (name in before or value not in ("", None, [], {}))
    }


def _bulk_values(
    model: type[models.Model], instances: Sequence[models.Model], m2m: Mapping[str, Any]
) -> dict[Any, dict[str, Any]]:
    """`record_values` of many stored records, with one query per many-to-many relation."""
    values = {instance.pk: _concrete_values(instance) for instance in instances}
    for name, field in m2m.items():
        for value in values.values():
            value[name] = []
        through = field.remote_field.through
        source = f"{field.m2m_field_name()}_id"
        target = f"{field.m2m_reverse_field_name()}_id"
        for owner, related in through._default_manager.filter(
            **{f"{source}__in": list(values)}
        ).values_list(source, target):
            values[owner][name].append(str(related))
        for value in values.values():
            value[name].sort()
    return values


def _revisions_bulk_record(
    model: type[models.Model],
    before: dict[Any, dict[str, Any]],
    written: Mapping[Any, models.Model],
    records: Sequence[Mapping[str, Any]],
    key: str,
    m2m: Mapping[str, Any],
) -> None:
    """The revisions of a bulk upsert's updated records, in one insert, as `revision_record`
    would write them. New records are not revisions (they had no previous values): at
    100,000 imported rows they would cost about a third of the import's time."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    via = _revision_via.get()
    revisions = []
    for record in records:
        instance = written.get(record[key])
        if instance is None or instance.pk not in before:
            continue
        previous = before[instance.pk]
        after = _concrete_values(instance)
        for name in m2m:
            if name in record:
                after[name] = sorted({str(related.pk) for related in record[name]})
            else:
                after[name] = previous.get(name, [])
        changes = _changes(previous, after)
        if changes:
            revisions.append(
                Revision(
                    content_type=content_type, object_id=str(instance.pk), via=via, changes=changes
                )
            )
    Revision.objects.bulk_create(revisions, batch_size=500)


def revision_record(
    *, instance: models.Model, before: dict[str, Any], by: User | None, via: str
) -> Revision | None:
    """Record who changed which fields of a record, from what to what (nothing if nothing
    changed). `before` is `record_values` taken before the change ({} for a new record)."""
    from django.contrib.contenttypes.models import ContentType

    changes = _changes(before, record_values(instance))
    if not changes:
        return None
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        user=by if getattr(by, "is_authenticated", False) else None,
        via=via,
        changes=changes,
    )


def name_lookalike_refuse(*, records: models.QuerySet[Any], name: str) -> None:
    """Refuse a name that looks the same as one of `records`' names but is written with other
    characters (a Cyrillic "Т" in "Тorup", a zero-width space): raises ValidationError on
    `name`. The same name spelt the same way is allowed: villages share names."""
    twin = name_twin(records, name=name, identical=False)
    if twin is not None:
        raise ValidationError(
            {
                "name": _(
                    "“%(name)s” looks the same as “%(twin)s”, already in the hub, but is written "
                    "with other characters (lookalike letters or invisible ones)."
                )
                % {"name": name, "twin": twin.name}
            }
        )


def image_variants_update(
    *, instance: models.Model, again: bool = False, replaced: str = ""
) -> dict[str, Any]:
    """Make the responsive sizes of a record's `image` and keep what was made on the record
    (nothing when it has no image); the sizes of the image it `replaced` are removed. Done
    already for this image, it does nothing, unless `again`.

    No transaction around the work: scaling a large picture takes a second, too long to hold
    the database's write lock. The record is written only if it still has the same image; a
    newer image has a task of its own.
    """
    # Any model with an `image` and its `image_variants`.
    model: Any = type(instance)
    storage = model._meta.get_field("image").storage
    record = model.objects.filter(pk=instance.pk).only("image", "image_variants").first()
    name = record.image.name if record is not None and record.image else ""
    if replaced and replaced != name:
        images.variants_delete(name=replaced, storage=storage)
    if record is None:
        return {}
    current = record.image_variants or {}
    if current.get("name", "") == name and not again:
        return current
    variants = {}
    if name:
        # An image Pillow cannot read is marked as tried, and shown as it was uploaded.
        variants = images.variants_write(name=name, storage=storage) or {"name": name, "widths": []}
    if not model.objects.filter(pk=record.pk, image=name).update(image_variants=variants):
        images.variants_delete(name=name, storage=storage)
        return {}
    return variants


# Page views ---------------------------------------------------------------------------------

# Every browser a person reads with sends "Mozilla/..." (old Opera "Opera/..."); what sends
# anything else is a program: link previews (facebookexternalhit, WhatsApp, Mastodon's
# http.rb), HTTP libraries (Go-http-client, okhttp, Java, axios), feed readers' fetchers.
BROWSER_AGENT = re.compile(r"(Mozilla|Opera)/")
# Crawlers, link previews, audits and scripts that pose as browsers name themselves.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|monitor|curl|wget|python|headless|scan|lighthouse"
    r"|inspectiontool|externalhit",
    re.I,
)


def page_view_count(*, obj: models.Model, user_agent: str) -> bool:
    """Count one view of a record's page today (the day in the hub's time zone); nothing
    about the visitor is stored. Returns whether it was counted (not for known bots)."""
    if not BROWSER_AGENT.match(user_agent) or BOT_AGENT.search(user_agent):
        return False
    key = {
        "content_type": ContentType.objects.get_for_model(obj),
        "object_id": obj.pk,
        "day": timezone.localdate(),
    }
    rows = PageView.objects.filter(**key)
    if rows.update(count=F("count") + 1):
        return True
    try:
        with transaction.atomic():
            PageView.objects.create(**key, count=1)
    except IntegrityError:  # made by a request in between
        rows.update(count=F("count") + 1)
    return True


@transaction.atomic
def mentions_erase(*, traces: set[str], mentions: list[Mention]) -> None:
    """Remove every mention of these words (a person's addresses, username, names) from the
    columns that copy text about people: rows of `delete` mentions naming them are deleted,
    the others keep their place with the words replaced by “—”."""
    traces = {t.strip() for t in traces if len(t.strip()) >= _SHORTEST_TRACE}
    if not traces:
        return
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in sorted(traces, key=len, reverse=True)),
        re.IGNORECASE,
    )
    for mention in sorted(mentions, key=lambda m: not m.delete):
        rows = _rows_mentioning(mention.model, mention.fields, traces)
        if mention.delete:
            rows.delete()
            continue
        for row in rows.only("pk", *mention.fields):
            cast(Any, mention.model).objects.filter(pk=row.pk).update(
                **{f: _words_replaced(getattr(row, f), pattern) for f in mention.fields}
            )


# Shorter words (initials, "Ana") would blank unrelated text in the logs.
_SHORTEST_TRACE = 4


def _rows_mentioning(
    model: type[models.Model], fields: tuple[str, ...], traces: set[str]
) -> models.QuerySet[Any]:
    condition = Q()
    for field in fields:
        for trace in traces:
            # JSON columns may hold non-ASCII letters escaped (\u00e5).
            for form in {trace, json.dumps(trace)[1:-1]}:
                condition |= Q(**{f"{field}__icontains": form})
    rows: models.QuerySet[Any] = cast(Any, model).objects.filter(condition)
    return rows


def _words_replaced(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub("—", value)
    if isinstance(value, list):
        return [_words_replaced(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_words_replaced(k, pattern): _words_replaced(v, pattern) for k, v in value.items()}
    return value
