"""Exports for funders and organisers: registrations, attendance and feedback (CSV, XLSX)."""

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from villagehub.core.text import cell_neutralise, xml_clean

from .models import Event, Feedback, Question, Registration
from .selectors import answer_text

TABLES = ("registrations", "attendance", "feedback")


def table_labels() -> list[tuple[str, str]]:
    return [
        ("registrations", _("Registrations")),
        ("attendance", _("Attendance")),
        ("feedback", _("Feedback")),
    ]


def _questions(events: QuerySet[Event]) -> tuple[list[str], dict[int, dict[str, str]]]:
    """The events' own questions as columns: one per label (a series' events may ask the
    same question), and for each event which answer key fills which column."""
    labels: list[str] = []
    keys: dict[int, dict[str, str]] = {}
    for question in Question.objects.filter(event__in=events).order_by(
        "event__starts_at", "event_id", "position", "pk"
    ):
        if question.label not in labels:
            labels.append(question.label)
        keys.setdefault(question.event_id, {})[question.label] = str(question.pk)
    return labels, keys


def _registration_rows(
    events: QuerySet[Event], attended_only: bool, labels: list[str], keys: dict
) -> Iterator[list]:
    registrations = Registration.objects.filter(event__in=events).select_related("event")
    if attended_only:
        registrations = registrations.filter(attended=True)
    for r in registrations.order_by("event__starts_at", "event_id", "queued_at", "pk").iterator():
        asked = keys.get(r.event_id, {})
        yield [
            r.event.slug, r.name, r.email, r.organisation, r.community, r.country.code,
            r.role, r.language, r.get_status_display(), "yes" if r.attended else "no",
            r.queued_at.isoformat(), "yes" if r.contact_consent else "no",
            "yes" if r.consent_recording else "no", "yes" if r.consent_publish else "no",
            "yes" if r.plain_text_reminders else "no",
            *(answer_text(r.answers.get(asked.get(label, ""))) for label in labels),
        ]  # fmt: skip


def table(what: str, events: QuerySet[Event]) -> tuple[list[str], Iterable[list]]:
    if what in ("registrations", "attendance"):
        labels, keys = _questions(events)
        header = [
            _("event"), _("name"), _("e-mail"), _("organisation"), _("community"),
            _("country"), _("role"), _("language"), _("status"), _("attended"),
            _("registered"), _("may be contacted"), _("may be recorded"),
            _("name and picture may be published"), _("plain-text reminders"), *labels,
        ]  # fmt: skip
        rows = _registration_rows(events, what == "attendance", labels, keys)
        return header, rows
    header = [
        _("event"), _("would attend again"), _("recommend (0–10)"), _("satisfaction (1–5)"),
        _("most useful"), _("next topics"), _("answered"),
    ]  # fmt: skip
    # Answers are exported without the person's name: the survey is anonymous to funders.
    feedback = (
        Feedback.objects.filter(event__in=events)
        .select_related("event")
        .order_by("event__starts_at", "event_id", "pk")
    )

    def feedback_rows():
        for f in feedback.iterator():
            yield [
                f.event.slug, "yes" if f.would_attend_again else "no", f.recommend,
                f.satisfaction, f.most_useful, f.next_topics, f.created_at.isoformat(),
            ]  # fmt: skip

    return header, feedback_rows()


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow([cell_neutralise(h) for h in header])
    for row in rows:
        yield writer.writerow([cell_neutralise(v) for v in row])


def _xlsx_cell(value):
    # An XLSX sheet is XML: characters XML 1.0 forbids are left out, as in every XML writer.
    return cell_neutralise(xml_clean(value) if isinstance(value, str) else value)


def xlsx_write(out: IO[bytes], header: list[str], rows: Iterable[list], title: str) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    book.save(out)
