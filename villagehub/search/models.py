import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable record (community, organisation, practice, factsheet, news item).

    Services keep it current. The full-text index over `title_terms` and `body_terms` is the
    database's own: an FTS5 table kept by triggers on SQLite, a generated tsvector column
    with a GIN index on PostgreSQL (see the migrations). The values the lists filter by are
    copied here once (kind, country, size band, and the themes and goals as `tags`), for
    the in-memory copy that filters and counts the matches (see search.counts).
    """

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
    text = models.TextField(blank=True, help_text="Readable text, for snippets.")
    url = models.CharField(max_length=255)
    country = models.CharField(max_length=2, blank=True)
    size_band = models.CharField(max_length=16, blank=True)
    tags = models.TextField(blank=True, help_text="Themes and goals: 'theme12 sdg9'.")
    title_terms = models.TextField()
    body_terms = models.TextField(blank=True)
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
    """A search document removed since the last rebuild, and the generation of its removal.

    The in-memory copies of the documents' filter values (see search.counts) read these to
    forget removed documents, which may otherwise still be found by their themes. A rebuild
    empties the table: every copy then starts over.
    """

    document_id = models.BigIntegerField()
    generation = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"document {self.document_id} removed at {self.generation}"


def _epoch_new() -> int:
    return secrets.randbits(62)


class SearchState(models.Model):
    """One row: a counter of the writes of search documents, so that each process can tell
    which documents changed since it last copied their filter values (see search.counts).

    Every write of documents adds one to `generation` in its own transaction and stamps its
    documents with the result; the row lock orders the writers, so documents stamped up to a
    generation that a reader sees are all committed. `rebuilt` is the generation of the last
    full rebuild, after which the copies start over. `epoch` is drawn when the row is made:
    emptied tables (a flush, the tests) make a new row whose counter may climb past what a
    process has copied, and the new epoch tells that process to start over.
    """

    generation = models.BigIntegerField(default=0)
    rebuilt = models.BigIntegerField(default=0)
    epoch = models.BigIntegerField(default=_epoch_new)

    def __str__(self) -> str:
        return f"search generation {self.generation}"
