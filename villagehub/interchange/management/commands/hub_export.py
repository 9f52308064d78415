import contextlib
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from villagehub.interchange.kinds import KINDS
from villagehub.interchange.services import export_csv, export_document


class Command(BaseCommand):
    help = (
        "Export records as JSON (all kinds, or those given with --kind) or CSV (one kind). "
        "The output imports back with `villagehub import`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--kind", choices=list(KINDS), action="append")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        kinds = options["kind"] or list(KINDS)
        if options["format"] == "csv" and len(kinds) != 1:
            raise CommandError("CSV holds one kind of record: give exactly one --kind.")
        with contextlib.ExitStack() as stack:
            out = sys.stdout
            if options["output"]:
                out = stack.enter_context(
                    Path(options["output"]).open("w", encoding="utf-8", newline="")
                )
            if options["format"] == "csv":
                export_csv(kinds[0], out)
            else:
                json.dump(export_document(kinds), out, ensure_ascii=False, indent=2)
                out.write("\n")
