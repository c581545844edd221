"""The ``cohortkit`` command: Django's management commands under one name.

``cohortkit migrate``, ``cohortkit runserver``, ``cohortkit demo``, ``cohortkit curriculum import``,
``cohortkit token create`` and every other management command work as ``manage.py`` would.
``cohortkit schedule solve|check|generate`` runs the section solver on JSON files (no database).

A setting that is missing or unreadable (``SECRET_KEY`` without ``DEBUG=1``, ``DEBUG=maybe``) stops
every command with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys

SETTINGS_PROBLEM_EXIT_STATUS = 2


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["schedule"]:
        # The solver is a pure library: no settings or database needed to solve a file.
        from cohortkit.scheduling.solver.cli import run as schedule_run

        schedule_run(arguments[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortkit.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading one setting loads and checks them all
    except ImproperlyConfigured as problem:
        print(f"cohortkit: {problem}", file=sys.stderr)
        raise SystemExit(SETTINGS_PROBLEM_EXIT_STATUS) from None
    execute_from_command_line(["cohortkit", *arguments])


if __name__ == "__main__":
    main()
