"""Import and export of communities, organisations, practices (and what they refer to).

An import validates every row and writes all of them or none: each problem is reported with
file, row, column and reason, and any problem rolls the whole file back.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from villagehub.core.services import revisions_via
from villagehub.core.text import cell_neutralise, cell_restore

from .kinds import KINDS, REFERENCE_KEYS, Kind

CSV_LIST_SEPARATOR = ";"
BULK_BATCH = 1000


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.reason}"


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    counts: dict[str, int]


@dataclass(frozen=True)
class _Row:
    kind: Kind
    number: int  # line of the CSV file (the header is line 1) or position in a JSON list
    values: dict[str, Any]
    is_csv: bool


# ---------------------------------------------------------------------------- reading


def _read_rows(name: str, text: str, kind_name: str | None) -> list[_Row] | list[Problem]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(name, text, kind_name)
    if suffix in {".json", ".yaml", ".yml"}:
        return _read_document(name, text, suffix)
    return [Problem(name, None, None, _("Use a .csv, .json or .yaml file."))]


def _kind_for_csv(name: str, kind_name: str | None) -> Kind | None:
    guess = kind_name or Path(name).stem.lower()
    return KINDS.get(guess) or next(
        (k for n, k in KINDS.items() if guess.startswith(n) or guess.endswith(n)), None
    )


def _read_csv(name: str, text: str, kind_name: str | None) -> list[_Row] | list[Problem]:
    kind = _kind_for_csv(name, kind_name)
    if kind is None:
        return [
            Problem(
                name,
                None,
                None,
                _("Cannot tell what the file holds: name it after one of %(kinds)s or give --kind.")
                % {"kinds": ", ".join(KINDS)},
            )
        ]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    problems = [
        Problem(
            name,
            1,
            column,
            _("Unknown column; expected some of: %(columns)s.")
            % {"columns": ", ".join(kind.columns)},
        )
        for column in header
        if column not in kind.columns
    ]
    if kind.key not in header:
        problems.append(Problem(name, 1, kind.key, _("This column is required.")))
    if problems:
        return problems
    rows = []
    for record in reader:
        if None in record:
            problems.append(
                Problem(name, reader.line_num, None, _("The row has more cells than the header."))
            )
            continue
        # A CSV the hub wrote neutralised formulas for spreadsheets: read back what it had.
        record = {column: cell_restore(value) for column, value in record.items()}
        rows.append(_Row(kind, reader.line_num, record, is_csv=True))
    return problems or rows


def _read_document(name: str, text: str, suffix: str) -> list[_Row] | list[Problem]:
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        return [Problem(name, error.lineno, None, _("Not valid JSON: %(e)s") % {"e": error.msg})]
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        return [
            Problem(
                name,
                None if line is None else line + 1,
                None,
                _("Not valid YAML: %(e)s") % {"e": getattr(error, "problem", str(error))},
            )
        ]
    if not isinstance(data, dict):
        return [Problem(name, None, None, _("The file must hold an object keyed by kind."))]
    problems, rows = [], []
    unknown = [key for key in data if key not in KINDS]
    for key in unknown:
        problems.append(
            Problem(
                name,
                None,
                key,
                _("Unknown kind; expected some of: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
            )
        )
    for kind in KINDS.values():
        records = data.get(kind.name) or []
        if not isinstance(records, list):
            problems.append(Problem(name, None, kind.name, _("Expected a list of records.")))
            continue
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                problems.append(Problem(name, number, kind.name, _("Expected an object.")))
                continue
            for column in record:
                if column not in kind.columns:
                    problems.append(Problem(name, number, column, _("Unknown column.")))
            rows.append(_Row(kind, number, record, is_csv=False))
    return problems or rows


# ---------------------------------------------------------------------------- converting


class _CellError(Exception):
    pass


def _split(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    return [part.strip() for part in str(value).split(CSV_LIST_SEPARATOR) if part.strip()]


def _resolve(
    target: type[models.Model], keys: Iterable[Any], cache: dict[Any, Any] | None = None
) -> list[models.Model]:
    """The records named by these keys; `cache` keeps those found for the rest of the file."""
    field = REFERENCE_KEYS[target]
    keys = list(keys)
    known: dict[str, models.Model] = cache.setdefault(target, {}) if cache is not None else {}
    # Model fields are read through Django's reflective API, which django-stubs types only
    # in part: Any here and below.
    model_field: Any = target._meta.get_field(field)
    valid = []
    for key in keys:
        if str(key) in known:
            continue
        try:
            value = model_field.to_python(str(key))
            model_field.run_validators(value)
        except ValidationError:
            continue  # cannot name a record (goal “x” or 10**30): reported as unknown below
        valid.append(value)
    if valid:
        for o in target._default_manager.filter(**{f"{field}__in": valid}):
            known[str(getattr(o, field))] = o
    found = {str(k): known[str(k)] for k in keys if str(k) in known}
    missing = [str(k) for k in keys if str(k) not in found]
    if missing:
        raise _CellError(
            _("Unknown %(what)s: %(keys)s.")
            % {"what": target._meta.verbose_name, "keys": ", ".join(missing)}
        )
    return [found[str(k)] for k in keys]


def _check_nested_objects(kind: Kind, column: str, objects: list[dict[str, Any]]) -> None:
    relation: Any = kind.model._meta.get_field(column)
    allowed = {
        f.name
        for f in relation.related_model._meta.concrete_fields
        if not f.primary_key and f.name != relation.field.name
    }
    for obj in objects:
        unknown = sorted(str(key) for key in obj if key not in allowed)
        if unknown:
            raise _CellError(
                _("Unknown keys %(keys)s; expected some of: %(allowed)s.")
                % {"keys": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
            )
        for key, value in obj.items():
            expected = dict if key == "translations" else (str, int, float, bool, type(None))
            if not isinstance(value, expected):
                raise _CellError(_("Unexpected value for “%(key)s”.") % {"key": key})


def _convert(
    kind: Kind, column: str, value: Any, is_csv: bool, cache: dict[Any, Any] | None = None
) -> Any:
    if kind.is_nested(column):
        if is_csv and isinstance(value, str):
            if not value.strip():
                return {} if column == "translations" else []
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise _CellError(_("Not valid JSON: %(e)s") % {"e": error.msg}) from error
        if column == "translations":
            if value is not None and not isinstance(value, dict):
                raise _CellError(_("Translations must be an object keyed by language code."))
            return value or {}
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _CellError(_("Expected a list of objects."))
        _check_nested_objects(kind, column, value)
        return value
    field: Any = kind.model._meta.get_field(column)
    if field.many_to_many:
        if not isinstance(value, (list, str, type(None))):
            raise _CellError(_("Expected a list."))
        return _resolve(field.related_model, _split(value), cache)
    if field.many_to_one:
        if value in (None, ""):
            return None
        return _resolve(field.related_model, [value], cache)[0]
    if isinstance(field, models.JSONField) and is_csv and isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else field.get_default()
        except json.JSONDecodeError as error:
            raise _CellError(_("Not valid JSON: %(e)s") % {"e": error.msg}) from error
    if value in (None, "") and field.null:
        return None
    if value is None and not field.null:
        return field.get_default()
    if isinstance(field, models.DateField) and not isinstance(value, (str, date)):
        # Django parses dates from text only (YAML gives dates): `true` would be a TypeError.
        raise _CellError(field.error_messages["invalid"] % {"value": value})
    if column == "country":
        if not isinstance(value, str):
            raise _CellError(_("Expected an ISO 3166-1 alpha-2 country code."))
        return value.strip().upper()
    if isinstance(field, models.BooleanField) and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "yes", "1"}:
            return True
        if lowered in {"false", "no", "0"}:
            return False
        if lowered == "" and field.null:
            return None
        raise _CellError(_("Write true or false, not “%(value)s”.") % {"value": value})
    return value


def _validation_problems(name: str, row: _Row, error: ValidationError) -> list[Problem]:
    if hasattr(error, "error_dict"):
        problems: list[Problem] = []
        for field, messages in error.message_dict.items():
            column = field if field in row.kind.columns else None
            problems.extend(Problem(name, row.number, column, m) for m in messages)
        return problems
    return [Problem(name, row.number, None, m) for m in error.messages]


def _convert_row(
    name: str, row: _Row, cache: dict[Any, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    fields, problems = {}, []
    for column, raw in row.values.items():
        if column in row.kind.read_only:
            continue
        try:
            fields[column] = _convert(row.kind, column, raw, row.is_csv, cache)
        except _CellError as error:
            problems.append(Problem(name, row.number, column, str(error)))
    if not fields.get(row.kind.key):
        problems.append(Problem(name, row.number, row.kind.key, _("This field is required.")))
    return fields, problems


def _import_row(name: str, row: _Row, fields: dict[str, Any]) -> list[Problem]:
    try:
        # A savepoint per row keeps the transaction usable after a failed row, so that every
        # row is checked and reported; the outer transaction still rolls back everything.
        with transaction.atomic():
            row.kind.upsert(**fields)
    except ValidationError as error:
        return _validation_problems(name, row, error)
    return []


def _import_batch(
    name: str, batch: list[tuple[int, _Row, dict[str, Any]]]
) -> list[tuple[int, Problem]]:
    """Rows of one kind written together: each still validated and reported on its own."""
    # Only kinds with a bulk service are batched (`_in_bulk`).
    bulk_upsert = cast(Callable[..., dict[int, Any]], batch[0][1].kind.bulk_upsert)
    errors = bulk_upsert(records=[fields for _n, _row, fields in batch])
    return [
        (batch[index][0], problem)
        for index, error in errors.items()
        for problem in _validation_problems(name, batch[index][1], error)
    ]


def _in_bulk(row: _Row, fields: dict[str, Any]) -> bool:
    return row.kind.bulk_upsert is not None and not any(fields.get(c) for c in row.kind.nested)


def import_text(name: str, text: str, *, kind: str | None = None) -> ImportReport:
    """Import every row of a file, or nothing.

    Rows are written in batches of up to BULK_BATCH rows of one kind where the kind has a bulk
    service; rows with nested lists, and kinds without one, go one by one. Problems are
    reported in the order of the file.
    """
    read = _read_rows(name, text, kind)
    if read and isinstance(read[0], Problem):
        raise ImportFailed(read)
    rows = cast(list[_Row], read)
    problems: list[tuple[int, Problem]] = []
    counts: dict[str, int] = {}
    cache: dict[Any, Any] = {}
    batch: list[tuple[int, _Row, dict[str, Any]]] = []
    keys: set[Any] = set()

    def flush() -> None:
        if batch:
            problems.extend(_import_batch(name, batch))
            batch.clear()
            keys.clear()

    with transaction.atomic(), revisions_via(f"import {Path(name).name}"):
        for position, row in enumerate(rows):
            counts[row.kind.name] = counts.get(row.kind.name, 0) + 1
            if batch and batch[0][1].kind is not row.kind:
                flush()  # the next kind may refer to records of this one
            fields, row_problems = _convert_row(name, row, cache)
            if row_problems:
                problems.extend((position, p) for p in row_problems)
            elif _in_bulk(row, fields):
                if len(batch) >= BULK_BATCH or fields[row.kind.key] in keys:
                    flush()
                batch.append((position, row, fields))
                keys.add(fields[row.kind.key])
            else:
                flush()
                problems.extend((position, p) for p in _import_row(name, row, fields))
        flush()
        if problems:
            transaction.set_rollback(True)
    if problems:
        problems.sort(key=lambda p: p[0])
        raise ImportFailed([p for _position, p in problems])
    return ImportReport(counts=counts)


def import_file(path: str | Path, *, kind: str | None = None) -> ImportReport:
    path = Path(path)
    try:
        # Decoded by hand: read_text would turn line breaks inside CSV cells into "\n".
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as error:
        raise ImportFailed([Problem(str(path), None, None, _("No such file."))]) from error
    except UnicodeDecodeError as error:
        raise ImportFailed(
            [Problem(str(path), None, None, _("The file is not UTF-8 text."))]
        ) from error
    return import_text(str(path), text, kind=kind)


# ---------------------------------------------------------------------------- exporting


def _export_value(kind: Kind, obj: models.Model, column: str) -> Any:
    if column in kind.read_only:
        return kind.read_only[column](obj)
    if column in kind.nested:
        return kind.nested[column](obj)
    if column == "translations":
        return cast(Any, obj).translations or {}
    field: Any = kind.model._meta.get_field(column)
    if field.many_to_many:
        key = REFERENCE_KEYS[field.related_model]
        # Sorted, so that an export does not depend on the related model's ordering.
        return sorted(getattr(o, key) for o in getattr(obj, column).all())
    if field.many_to_one:
        related = getattr(obj, column)
        return getattr(related, REFERENCE_KEYS[field.related_model]) if related else None
    value = getattr(obj, column)
    if column == "country":
        return value.code or ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return str(value) if type(value).__name__ == "Decimal" else value


def export_records(kind_name: str, *, public: bool = False) -> Iterator[dict[str, Any]]:
    """Every record of a kind, in key order, read in chunks so that memory stays flat.

    `public` leaves out what is not published (drafts), for the open-data downloads.
    """
    kind = KINDS[kind_name]
    queryset = kind.model._default_manager.order_by(kind.key)
    if public:
        queryset = queryset.filter(**kind.public_filter)
    related = [
        c
        for c in kind.columns
        if c not in kind.nested
        and c != "translations"
        and kind.model._meta.get_field(c).many_to_one
    ]
    queryset = queryset.select_related(*related).prefetch_related(*kind.prefetch)
    for obj in queryset.iterator(chunk_size=2000):
        yield {column: _export_value(kind, obj, column) for column in kind.columns}


def export_document(kinds: Iterable[str] = KINDS) -> dict[str, list[dict[str, Any]]]:
    return {name: list(export_records(name)) for name in kinds}


def csv_cells(record: dict[str, Any], *, nested: Iterable[str] = ()) -> dict[str, Any]:
    """One record as CSV cells: nested objects as JSON, lists joined by `;`, and text that a
    spreadsheet would run as a formula neutralised (`_read_csv` undoes exactly that)."""
    row = {}
    nested = set(nested) | {"translations"}
    for column, value in record.items():
        if column in nested or isinstance(value, dict):
            row[column] = json.dumps(value, ensure_ascii=False) if value else ""
        elif isinstance(value, list):
            row[column] = CSV_LIST_SEPARATOR.join(str(v) for v in value)
        elif value is None:
            row[column] = ""
        else:
            row[column] = value
        row[column] = cell_neutralise(row[column])
    return row


def export_csv(kind_name: str, out: io.TextIOBase) -> None:
    kind = KINDS[kind_name]
    # The standard "\r\n" line ends: the writer then quotes cells holding a bare "\r", which
    # would otherwise end the row when the file is read back.
    writer = csv.DictWriter(out, fieldnames=kind.columns, lineterminator="\r\n")
    writer.writeheader()
    for record in export_records(kind_name):
        writer.writerow(csv_cells(record, nested=kind.nested))
