"""``cohortkit restore FILE [--yes]``: put a backup back into the database the settings name."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from cohortkit.common.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `cohortkit backup` into the database the settings name. "
        "Without a prompt into an empty or missing database; over existing data only with --yes."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="A file written by `cohortkit backup`.")
        parser.add_argument(
            "--yes", action="store_true", help="Replace the data the database holds now."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        settings_dict = dict(connections["default"].settings_dict)
        # Our own connection must not hold the database open while it is replaced.
        connections.close_all()
        try:
            database_restore(settings_dict=settings_dict, source=source, overwrite=options["yes"])
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        self.stdout.write(f"restored {source} into {settings_dict['NAME']}")
