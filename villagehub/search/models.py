from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable record (community, organisation, practice, factsheet).

    Services keep it current. The full-text index over `title_terms` and `body_terms` is the
    database's own: an FTS5 table kept by triggers on SQLite, a generated tsvector column
    with a GIN index on PostgreSQL (see migrations 0002 and 0004). The values the lists
    filter by are copied here (country, size band), into `SearchTag` (themes, goals) and, as
    words, into the full-text index (`filter_terms`), so that a search with filters and its
    counts per value are answered from the index tables alone.
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
    size_band = models.CharField(max_length=16, blank=True)
    filter_terms = models.TextField(
        blank=True, help_text="The filter values as indexed words (see search.backends)."
    )
    title_terms = models.TextField()
    body_terms = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [
            models.Index(fields=["kind", "country"]),
            # The filters of each document in a few bytes: SQLite reads them from this index
            # for every full-text match (see backends._source) rather than from the table.
            models.Index(
                fields=["id", "kind", "country", "size_band"], name="search_document_filters"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class SearchTag(models.Model):
    """A theme or goal of a search document, copied from its record for filters and counts."""

    class Facet(models.TextChoices):
        THEME = "theme"
        GOAL = "sdg"

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="tags")
    facet = models.CharField(max_length=8, choices=Facet.choices)
    value = models.PositiveIntegerField(help_text="Theme id or goal number.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "facet", "value"], name="search_tag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.facet} {self.value}"
