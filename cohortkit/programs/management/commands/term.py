"""``cohortkit term load FILE``: create or update a program and term from a term YAML file."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.programs.term_loader import TermFileError, term_load_with_summary


class Command(BaseCommand):
    help = "Load a term from YAML (format: cohortkit.programs.term_loader); loading again updates."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        load = subcommands.add_parser(
            "load", help="Create or update the program, term and curriculum the file describes."
        )
        load.add_argument("file", help="The term YAML file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as problem:
            raise CommandError(f"{path}: {problem.strerror}", returncode=2) from problem
        try:
            summary = term_load_with_summary(text=text, base_directory=path.resolve().parent)
        except TermFileError as error:
            lines = [f"{path}: {message}" for message in error.messages]
            raise CommandError(
                f"{path} has {len(lines)} problem(s); nothing was loaded.\n" + "\n".join(lines),
                returncode=2,
            ) from error
        self.stdout.write(summary.describe())
