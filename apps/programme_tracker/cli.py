"""The `programme-tracker` command: Django's management commands with `--site`, like Frappe's bench.

    programme-tracker [--site SITE] serve | setup | demo | export-portfolio | import-portfolio FILE | <Django command>

Command names may be written with hyphens (`export-portfolio`) or underscores (`export_portfolio`).
"""

import os
import sys

USAGE = """usage: programme-tracker [--site SITE] COMMAND [ARGS...]

Main commands:
  serve               set up the site (migrate, base data, first administrator) and start the web server
  setup               the set-up alone, without a server
  demo                load the demo portfolio (fictional amounts and dates) and demo role accounts
  export-portfolio    write the whole portfolio as JSON (docs/portfolio-format.md)
  import-portfolio    create or update the portfolio from JSON, all or nothing
  import-money        check, and with --commit import, a spreadsheet of budget lines, payments or expenditure
  add-user            create a staff account in a role
  help                list every command, Django's included

--site SITE (or PT_SITE) picks sites/SITE/site_config.json; without it the 'default' site is used.
"""


def _split_site(argv: list[str]) -> tuple[str | None, list[str]]:
    """Take `--site X` / `--site=X` out of the arguments, wherever it stands before the command's own."""
    site, rest, args = None, [], iter(argv)
    for arg in args:
        if arg == "--site":
            site = next(args, None)
            if site is None:
                raise SystemExit("programme-tracker: --site needs a site name")
        elif arg.startswith("--site="):
            site = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return site, rest


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    site, args = _split_site(list(sys.argv[1:] if argv is None else argv))
    if site:
        os.environ["PT_SITE"] = site
    if not args or args[0] in {"-h", "--help"}:
        sys.stdout.write(USAGE)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme_tracker.config.settings")
    command = args[0].replace("-", "_") if args[0] != "help" else "help"

    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"programme-tracker: configuration error: {exc}\n")
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(["programme-tracker", command, *args[1:]])


if __name__ == "__main__":
    main()
