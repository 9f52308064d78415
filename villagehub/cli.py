"""The `villagehub` console command: the management commands a network needs, by plain names."""

import os
import sys

# Plain names a coordinator types, mapped to the Django management commands behind them.
COMMANDS = {
    "serve": "serve",
    "demo": "demo",
    "import": "hub_import",
    "export": "hub_export",
    "createsuperuser": "createsuperuser",
    "check": "check",
    "migrate": "migrate",
    "shell": "shell",
    "reindex": "reindex",
    "images": "image_sizes",
    "generate": "generate",
    "worker": "worker",
}

USAGE = """usage: villagehub <command> [options]

commands:
  serve            run the hub (development server; default 127.0.0.1:8000);
                   --production serves it with gunicorn
  demo             migrate the database and load the demo data (safe to run twice)
  import FILE      import communities, organisations or practices (CSV or JSON)
  export           export them in the same formats
  createsuperuser  create a coordinator account for the back office (/admin/)
  check            check the installation (add --deploy for production settings)
  migrate          apply database migrations
  reindex          rebuild the full-text search index
  images           make the responsive sizes of uploaded images that have none yet
  generate         add synthetic data for benchmarks (--communities N --practices M)
  worker           run background tasks (e-mail, reminders) as they fall due
  manage ...       any other Django management command

Run `villagehub <command> --help` for the options of a command."""


def manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "villagehub.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def hub_url_for(addrport: str) -> str:
    """The address `villagehub serve ADDRPORT` answers at, for links in e-mails and calendars:
    `8080` and `0.0.0.0:8080` are http://127.0.0.1:8080."""
    host, colon, port = addrport.rpartition(":")
    if not colon:
        host, port = "", addrport
    if host in {"", "0.0.0.0", "::", "[::]"}:  # noqa: S104 - read, not bound
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def _serve_hub_url(args: list[str]) -> None:
    # The development server says where it runs; in production HUB_URL is set by hand.
    if "--production" in args:
        return
    addrport = next((a for a in args if not a.startswith("-")), "127.0.0.1:8000")
    os.environ.setdefault("HUB_URL", hub_url_for(addrport))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    name, rest = args[0], args[1:]
    if name == "manage":
        manage(["villagehub", *rest])
        return
    if name not in COMMANDS:
        print(f"villagehub: unknown command {name!r}\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)
    if name == "serve":
        _serve_hub_url(rest)
    manage(["villagehub", COMMANDS[name], *rest])


if __name__ == "__main__":
    main()
