from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable record (community, organisation, practice, factsheet).

    Services keep it current. The full-text index over `title_terms` and `body_terms` is the
    database's own: an FTS5 table kept by triggers on SQLite, a generated tsvector column
    with a GIN index on PostgreSQL (see migration 0002).
    """

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Practices")
        COMMUNITY = "community", _("Communities")
        ORGANISATION = "organisation", _("Organisations")
        FACTSHEET = "factsheet", _("Country factsheets")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=255)
    text = models.TextField(blank=True, help_text="Readable text, for snippets.")
    url = models.CharField(max_length=255)
    country = models.CharField(max_length=2, blank=True)
    title_terms = models.TextField()
    body_terms = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [models.Index(fields=["kind", "country"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
