"""``cohortkit forms load FILE --term SLUG``: a term's application forms from YAML."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.admissions.services.loading_forms import FormSpecError, application_forms_load
from cohortkit.programs.models import Term


class Command(BaseCommand):
    help = "Load the participant and facilitator application forms of a term from YAML."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        load = subcommands.add_parser("load", help="Create or replace the forms (all or nothing).")
        load.add_argument(
            "file", help="YAML file, e.g. cohortkit/admissions/data/ml-safety-forms.yaml"
        )
        load.add_argument("--term", required=True, help="The term's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        term = Term.objects.filter(slug=options["term"]).first()
        if term is None:
            raise CommandError(f"--term: no term with the slug {options['term']!r}", returncode=2)
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}", returncode=2) from error
        try:
            forms = application_forms_load(term=term, text=text)
        except FormSpecError as error:
            raise CommandError(
                f"{path}: nothing was loaded:\n" + "\n".join(error.messages), returncode=2
            ) from error
        for form in forms:
            self.stdout.write(f"{form.title}: {form.questions.count()} questions")
