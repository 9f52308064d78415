import secrets
import zlib

from django.db import models
from django.utils.translation import gettext_lazy as _


def terms_deflated(text: str) -> bytes:
    """Raw deflate with a 4 kB window and little memory: most terms are a few hundred bytes,
    and a full-sized compressor spends more time setting itself up than compressing them."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -12, 4)
    return compressor.compress(text.encode()) + compressor.flush()


def terms_inflated(value: bytes | str) -> str:
    return zlib.decompress(value, -15).decode() if isinstance(value, bytes) else value


class TermsField(models.TextField):
    """Analysed terms, which SQLite keeps deflated: its FTS5 table stores none (see
    sqlite.py) and reads them back only to delete a document's entries from its index.
    PostgreSQL reads them into the vector (see postgres.py)."""

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        if connection.vendor == "sqlite" and isinstance(value, str) and value:
            return terms_deflated(value)
        return value

    def from_db_value(self, value, expression, connection):
        return terms_inflated(value) if value is not None else value


class SearchDocument(models.Model):
    """One searchable record, kept current by the services. The full-text index over
    `title_terms` and `body_terms` is the database's own (see sqlite.py, postgres.py: there
    they are kept only in the index, and read back empty); the values the lists filter by
    are read into memory to filter and count (see counts.py)."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Practices")
        COMMUNITY = "community", _("Communities")
        ORGANISATION = "organisation", _("Organisations")
        FACTSHEET = "factsheet", _("Country factsheets")
        NEWS = "news", _("News")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=255)
    country = models.CharField(max_length=2, blank=True)
    size_band = models.CharField(max_length=16, blank=True)
    tags = models.TextField(blank=True, help_text="Themes and goals: 'theme12 sdg9'.")
    title_terms = models.TextField()
    body_terms = TermsField(blank=True)
    generation = models.BigIntegerField(
        null=True,
        editable=False,
        help_text="SearchState.generation of the write that made this version (see search.counts).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [models.Index(fields=["generation"], name="search_document_generation")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class SearchDeletion(models.Model):
    """A search document removed since the last rebuild, and the generation of its removal,
    for the in-memory copies to forget it (see search.counts); a rebuild empties the table."""

    document_id = models.BigIntegerField()
    generation = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"document {self.document_id} removed at {self.generation}"


def _epoch_new() -> int:
    return secrets.randbits(62)


class SearchState(models.Model):
    """One row: the counter of the writes of search documents (see search.counts).
    `rebuilt` is the generation of the last full rebuild; `epoch` is drawn when the row is
    made, so that a process notices emptied tables (a flush, the tests) whose new counter
    climbs past what it has copied."""

    generation = models.BigIntegerField(default=0)
    rebuilt = models.BigIntegerField(default=0)
    epoch = models.BigIntegerField(default=_epoch_new)

    def __str__(self) -> str:
        return f"search generation {self.generation}"
