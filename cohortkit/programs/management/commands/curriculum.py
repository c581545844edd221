"""``cohortkit curriculum import FILE --term SLUG`` and ``… export --term SLUG [-o FILE]``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.programs.curriculum.applying import curriculum_import
from cohortkit.programs.curriculum.exporting import curriculum_export
from cohortkit.programs.curriculum.parsing import CurriculumError
from cohortkit.programs.models import Term


class Command(BaseCommand):
    help = "Import a term's curriculum from YAML or export it (see cohortkit.programs.curriculum)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        import_parser = subcommands.add_parser(
            "import", help="Make the file the term's curriculum; writes nothing if it has errors."
        )
        import_parser.add_argument("file", help="The curriculum YAML file.")
        import_parser.add_argument("--term", required=True, help="The term's slug.")
        export_parser = subcommands.add_parser("export", help="Print the term's curriculum.")
        export_parser.add_argument("--term", required=True, help="The term's slug.")
        export_parser.add_argument("-o", "--output", help="Write to this file instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        term = Term.objects.filter(slug=options["term"]).first()
        if term is None:
            raise CommandError(f"--term: no term with the slug {options['term']!r}", returncode=2)
        if options["action"] == "import":
            self._import(term, Path(options["file"]))
        else:
            self._export(term, options.get("output"))

    def _import(self, term: Term, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as problem:
            raise CommandError(f"{path}: {problem.strerror}", returncode=2) from problem
        try:
            summary = curriculum_import(term=term, text=text)
        except CurriculumError as error:
            lines = [f"{path}: {message}" for message in error.messages]
            raise CommandError(
                f"{path} has {len(lines)} problem(s); nothing was imported.\n" + "\n".join(lines),
                returncode=2,
            ) from error
        self.stdout.write(f"Imported {path} into {term}: {summary.describe()}")

    def _export(self, term: Term, output: str | None) -> None:
        text = curriculum_export(term=term)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote the curriculum of {term} to {output}")
        else:
            self.stdout.write(text, ending="")
