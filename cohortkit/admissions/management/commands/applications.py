"""``cohortkit applications import FILE --term SLUG --kind participant [--dry-run]``."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.admissions.models import ApplicationForm, ApplicationKind
from cohortkit.admissions.services.importing import applications_csv_import, applications_csv_plan


class Command(BaseCommand):
    help = "Import submitted applications from CSV; nothing is written unless every row is good."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        load = subcommands.add_parser("import", help="Check, then import, a CSV of applications.")
        load.add_argument("file")
        load.add_argument("--term", required=True, help="The term's slug.")
        load.add_argument("--kind", required=True, choices=ApplicationKind.values)
        load.add_argument("--dry-run", action="store_true", help="Only list the problems.")

    def handle(self, *args: Any, **options: Any) -> None:
        form = ApplicationForm.objects.filter(
            term__slug=options["term"], kind=options["kind"]
        ).first()
        if form is None:
            raise CommandError(
                f"--term/--kind: {options['term']} has no {options['kind']} form", returncode=2
            )
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"{path}: cannot read it as UTF-8 text ({error})", returncode=2
            ) from error
        plan = (
            applications_csv_plan(form=form, text=text)
            if options["dry_run"]
            else applications_csv_import(form=form, text=text)
        )
        if plan.problems:
            raise CommandError(
                f"{path}: {len(plan.problems)} problem(s); nothing was imported.\n"
                + "\n".join(plan.problems),
                returncode=2,
            )
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{path}: {verb} {len(plan.rows)} application(s) "
            f"({plan.new_people} new account(s)); people who had applied already are unchanged."
        )
