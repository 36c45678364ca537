"""The `programme-tracker` command: Django's management commands with `--site`, like Frappe's bench.

    programme-tracker [--site SITE] serve | setup | demo | scan | … | <Django command>

Command names may be written with hyphens (`export-portfolio`) or underscores (`export_portfolio`). `--help` lists
the main commands, each with the first line of its own help; `help` lists every command, Django's included.
"""

import os
import sys

# The commands `--help` lists, in this order; `help` lists every command.
MAIN_COMMANDS = ("serve", "setup", "demo", "scan", "add-user", "sync-roles", "export-portfolio", "import-portfolio",
                 "import-money", "export-iati", "worker", "scheduler", "run-job")
HELP_COMMAND = "List every command, Django's included."


def summary(help_text: str) -> str:
    """The first line of a command's help: what the usage shows of it."""
    lines = help_text.strip().splitlines()
    return lines[0].strip() if lines else ""


def command_summaries() -> dict[str, str]:
    """Each main command with the first line of its help, read from the command itself (Django must be set up)."""
    from django.core.management import get_commands, load_command_class

    apps, summaries = get_commands(), {}
    for name in MAIN_COMMANDS:
        django_name = name.replace("-", "_")
        summaries[name] = summary(load_command_class(apps[django_name], django_name).help)
    return summaries


def usage() -> str:
    """The text of `programme-tracker --help`."""
    commands = command_summaries() | {"help": HELP_COMMAND}
    width = max(map(len, commands)) + 2
    lines = [f"  {name:<{width}}{text}" for name, text in commands.items()]
    return "\n".join([
        "usage: programme-tracker [--site SITE] COMMAND [ARGS...]", "", "Main commands:", *lines, "",
        "--site SITE (or PT_SITE) picks sites/SITE/site_config.json; without it the 'default' site is used.",
        "`programme-tracker COMMAND --help` tells more about a command.", "",
    ])


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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme_tracker.config.settings")

    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"programme-tracker: configuration error: {exc}\n")
        raise SystemExit(2) from None

    if not args or args[0] in {"-h", "--help"}:
        sys.stdout.write(usage())
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["programme-tracker", args[0].replace("-", "_"), *args[1:]])


if __name__ == "__main__":
    main()
