import yaml
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from villagehub.core.demo import DEMO_FILE, demo_samples
from villagehub.interchange.services import ImportFailed, import_file, import_text


class Command(BaseCommand):
    help = (
        "Migrate the database and load the demo data taken from the source documents. "
        "Safe to run again: records are updated in place, never duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-migrate", action="store_true", help="skip migrations")
        parser.add_argument(
            "--no-samples",
            action="store_true",
            help="leave out the sample records that are not from the sources (an upcoming café)",
        )

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        try:
            report = import_file(DEMO_FILE)
            if not options["no_samples"]:
                samples = demo_samples(today=timezone.localdate())
                import_text("demo-samples.yaml", yaml.safe_dump(samples, allow_unicode=True))
        except ImportFailed as failure:
            raise CommandError(
                _("The demo data does not load:\n%(problems)s") % {"problems": failure}
            ) from None
        summary = ", ".join(f"{n} {kind}" for kind, n in report.counts.items())
        self.stdout.write(
            self.style.SUCCESS(_("Demo data loaded: %(summary)s.") % {"summary": summary})
        )
