"""``cohortkit ledger check [--term SLUG]``: recompute every balance and batch total from the
ledger's entries; print one summary line; exit 1 listing each difference."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.payments.selectors import ledger_check
from cohortkit.programs.models import Term


class Command(BaseCommand):
    help = "Check the ledger: balances and batch totals recomputed from its entries."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        check = subcommands.add_parser(
            "check", help="Recompute and compare; exit 1 on a difference."
        )
        check.add_argument("--term", help="Only this term (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        term = None
        if options.get("term"):
            term = Term.objects.filter(slug=options["term"]).first()
            if term is None:
                raise CommandError(f"--term: no term {options['term']!r}", returncode=2)
        result = ledger_check(term)
        self.stdout.write(result.summary)
        if result.differences:
            for difference in result.differences:
                self.stdout.write(f"difference: {difference}")
            sys.exit(1)
