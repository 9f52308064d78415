import os
import shutil
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = (
        "Serve the hub: Django's development server, or with --production gunicorn with "
        "compressed, cache-busted static files (needs SECRET_KEY and ALLOWED_HOSTS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--production", action="store_true")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, **options):
        if not options["production"]:
            call_command("runserver", options["addrport"])
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError(_("gunicorn is not installed in this environment."))
        env = {**os.environ, "DEBUG": "false"}
        # Static files are collected under production settings, where WhiteNoise compresses
        # them and gives them content-hashed names.
        subprocess.run(
            [sys.executable, "-m", "villagehub.cli", "manage", "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
        )
        os.execve(  # noqa: S606 - replaces this process with the server
            gunicorn,
            [
                gunicorn,
                "villagehub.wsgi:application",
                "--config",
                "python:villagehub.gunicorn_conf",
                "--bind",
                options["addrport"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ],
            env,
        )
