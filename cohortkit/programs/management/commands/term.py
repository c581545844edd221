"""``cohortkit term load FILE`` and ``cohortkit term copy``: a term from YAML, or the next term.

``term copy --from A --to B --name N --starts-on D [--without PART] [--staff ROLE]`` is the same
service as the "run this again" page.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.common.errors import InvalidInputError
from cohortkit.programs.copying import term_copy, term_copy_parts
from cohortkit.programs.models import Term
from cohortkit.programs.term_loader import TermFileError, term_load_with_summary


class Command(BaseCommand):
    help = "Load a term from YAML (format: cohortkit.programs.term_loader); loading again updates."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        load = subcommands.add_parser(
            "load", help="Create or update the program, term and curriculum the file describes."
        )
        load.add_argument("file", help="The term YAML file.")
        copy = subcommands.add_parser(
            "copy", help="Make a draft term from another, every date moved with its first day."
        )
        copy.add_argument("--from", dest="source", required=True, help="Slug of the term to copy.")
        copy.add_argument("--to", dest="slug", required=True, help="Slug of the new term.")
        copy.add_argument("--name", required=True, help="Name of the new term, e.g. Spring 2023.")
        copy.add_argument("--starts-on", required=True, help="First day, YYYY-MM-DD.")
        copy.add_argument(
            "--without",
            action="append",
            default=[],
            choices=[part.key for part in term_copy_parts()],
            help="A part not to copy (repeat for more).",
        )
        copy.add_argument(
            "--staff",
            action="append",
            default=[],
            choices=["organizer", "reviewer", "facilitator"],
            help="Roles to carry over (repeat; default organizer and reviewer).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "copy":
            self._copy(options)
            return
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

    def _copy(self, options: dict[str, Any]) -> None:
        source = Term.objects.filter(slug=options["source"]).first()
        if source is None:
            raise CommandError(f"--from: no term with the slug {options['source']!r}", returncode=2)
        try:
            starts_on = dt.date.fromisoformat(options["starts_on"])
        except ValueError as error:
            raise CommandError("--starts-on: use YYYY-MM-DD", returncode=2) from error
        parts = {part.key for part in term_copy_parts()} - set(options["without"])
        try:
            term = term_copy(
                source=source,
                slug=options["slug"],
                name=options["name"],
                starts_on=starts_on,
                parts=parts,
                staff_roles=set(options["staff"] or ["organizer", "reviewer"]),
                actor=None,
            )
        except InvalidInputError as error:
            names = {"slug": "--to", "name": "--name", "starts_on": "--starts-on"}
            lines = [f"{names.get(k, k)}: {v}" for k, v in error.field_errors.items()]
            raise CommandError("\n".join(lines), returncode=2) from error
        self.stdout.write(
            f"{term} ({term.slug}) made as a draft from {source}: {term.starts_on} to "
            f"{term.ends_on}; copied {', '.join(sorted(parts)) or 'the settings only'}."
        )
