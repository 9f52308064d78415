import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from villagehub.core.generate import data_generate
from villagehub.indicators.generate import indicators_generate
from villagehub.matching.generate import matching_generate


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic communities and practices in all supported "
        "languages, for benchmarks. Deterministic for a seed; never part of the demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=0)
        parser.add_argument("--practices", type=int, default=0)
        parser.add_argument("--solutions", type=int, default=0)
        parser.add_argument("--needs", type=int, default=0)
        parser.add_argument(
            "--pairs", help="write the known good pairs of the needs and solutions to this file"
        )
        parser.add_argument(
            "--indicator-years",
            type=int,
            default=5,
            help="years of indicator values for each generated community (0: none)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        counts_given = ("communities", "practices", "solutions", "needs", "indicator_years")
        if min(options[k] for k in counts_given) < 0:
            raise CommandError(_("Counts must be zero or more."))
        if options["practices"] and not options["communities"]:
            raise CommandError(_("Practices need communities: give --communities too."))
        if options["needs"] and not options["solutions"]:
            raise CommandError(_("Needs are drawn from solutions: give --solutions too."))
        if options["solutions"]:
            self._matching(options)
        if not (options["communities"] or options["practices"]):
            return
        with self._generating(options, options["communities"] + options["practices"]) as progress:
            counts = data_generate(
                communities=options["communities"],
                practices=options["practices"],
                seed=options["seed"],
                progress=progress,
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Generated %(communities)d communities and %(practices)d practices.") % counts
            )
        )
        if options["communities"] and options["indicator_years"]:
            values = indicators_generate(seed=options["seed"], years=options["indicator_years"])
            self.stdout.write(
                self.style.SUCCESS(_("Generated %(values)d indicator values.") % {"values": values})
            )

    @contextmanager
    def _generating(self, options, total: int) -> Iterator[Callable[[int], None]]:
        """A progress bar for `total` records; a seed used already is the command's error."""
        with tqdm(
            total=total, unit=" records", disable=options["no_progress"], file=self.stderr._out
        ) as bar:
            try:
                yield bar.update
            except ValueError:
                raise CommandError(
                    _("Data for seed %(seed)d was generated already: choose another --seed.")
                    % {"seed": options["seed"]}
                ) from None

    def _matching(self, options):
        with self._generating(options, options["solutions"] + options["needs"]) as progress:
            pairs = matching_generate(
                solutions=options["solutions"],
                needs=options["needs"],
                seed=options["seed"],
                progress=progress,
            )
        if options["pairs"]:
            Path(options["pairs"]).write_text(
                json.dumps([{"need": n, "solutions": sorted(good)} for n, good in pairs])
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Generated %(solutions)d solutions and %(needs)d needs.")
                % {"solutions": options["solutions"], "needs": options["needs"]}
            )
        )
