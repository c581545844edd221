"""The ``cohortkit`` command: Django's management commands under one name.

``cohortkit migrate``, ``cohortkit runserver``, ``cohortkit demo``, ``cohortkit curriculum import``,
``cohortkit token create`` and every other management command work as ``manage.py`` would.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortkit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cohortkit", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
