"""``cohortkit backup FILE``: a consistent copy of the whole database, taken while the site runs."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cohortkit.common.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database to FILE (SQLite's online backup API; "
        "pg_dump's custom format on PostgreSQL). Restore it with `cohortkit restore FILE`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        destination: Path = options["file"]
        try:
            database_backup(settings_dict=connection.settings_dict, destination=destination)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from error
        size = destination.stat().st_size
        self.stdout.write(f"backup written to {destination} ({size:,} bytes)")
