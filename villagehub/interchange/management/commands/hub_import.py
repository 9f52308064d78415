from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from villagehub.interchange.kinds import KINDS
from villagehub.interchange.services import ImportFailed, import_file


class Command(BaseCommand):
    help = (
        "Import communities, organisations, networks, practices or factsheets from CSV, JSON "
        "or YAML. Every row is checked; either all rows are written or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv, .json or .yaml file")
        parser.add_argument(
            "--kind",
            choices=list(KINDS),
            help="what a CSV file holds (default: guessed from the file name)",
        )

    def handle(self, *args, **options):
        try:
            report = import_file(options["file"], kind=options["kind"])
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            count = len(failure.problems)
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was imported.",
                    "%(count)d problems found; nothing was imported.",
                    count,
                )
                % {"count": count}
            ) from None
        summary = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
        self.stdout.write(self.style.SUCCESS(_("Imported: %(summary)s.") % {"summary": summary}))
