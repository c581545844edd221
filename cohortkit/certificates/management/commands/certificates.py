"""``cohortkit certificates list --term SLUG --json``: every certificate of a term, one JSON
object a line, in the shape of the public contract (revoked and withdrawn ones included)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.certificates.selectors import certificate_json, certificates_of_term
from cohortkit.programs.models import Term


class Command(BaseCommand):
    help = "Certificates: list a term's certificates."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        listing = subcommands.add_parser("list", help="Every certificate of the term.")
        listing.add_argument("--term", required=True, help="The term's slug.")
        listing.add_argument(
            "--json", action="store_true", help="One JSON object a line (the public shape)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        term = Term.objects.filter(slug=options["term"]).first()
        if term is None:
            raise CommandError(f"--term: no term with the slug {options['term']!r}", returncode=2)
        for certificate in certificates_of_term(term=term):
            data = certificate_json(certificate)
            if options["json"]:
                self.stdout.write(json.dumps(data, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"{data['id']}  {data['status']:<9}  {data['role']:<11}  "
                    f"{data['holder_name'] or '—'}  {data['verification_url']}"
                )
