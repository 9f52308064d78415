from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from villagehub.core.generate import data_generate


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic communities and practices in all supported "
        "languages, for benchmarks. Deterministic for a seed; never part of the demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, required=True)
        parser.add_argument("--practices", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["communities"] < 0 or options["practices"] < 0:
            raise CommandError(_("Counts must be zero or more."))
        if options["practices"] and not options["communities"]:
            raise CommandError(_("Practices need communities: give --communities too."))
        with tqdm(
            total=options["communities"] + options["practices"],
            unit=" records",
            disable=options["no_progress"],
            file=self.stderr._out,
        ) as bar:
            try:
                counts = data_generate(
                    communities=options["communities"],
                    practices=options["practices"],
                    seed=options["seed"],
                    progress=bar.update,
                )
            except ValueError:
                raise CommandError(
                    _("Data for seed %(seed)d was generated already: choose another --seed.")
                    % {"seed": options["seed"]}
                ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Generated %(communities)d communities and %(practices)d practices.") % counts
            )
        )
