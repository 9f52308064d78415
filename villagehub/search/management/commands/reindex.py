from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from villagehub.search.services import search_rebuild, searchable_count


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the records."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        with tqdm(
            total=searchable_count(),
            unit=" records",
            disable=options["no_progress"],
            file=self.stderr._out,
        ) as bar:
            written = search_rebuild(progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(_("Search index rebuilt: %(count)d documents.") % {"count": written})
        )
