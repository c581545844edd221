"""``cohortkit role grant --term SLUG --email EMAIL --role organizer``: give someone a role."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.accounts.models import Role, User
from cohortkit.accounts.services import membership_grant
from cohortkit.programs.models import Term


class Command(BaseCommand):
    help = "Give a person a role in a term (the first organizer of a new term, for instance)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        grant = subcommands.add_parser("grant", help="Grant a role; granting it again is a no-op.")
        grant.add_argument("--term", required=True, help="The term's slug.")
        grant.add_argument("--email", required=True, help="An existing account's email.")
        grant.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args: Any, **options: Any) -> None:
        term = Term.objects.filter(slug=options["term"]).first()
        if term is None:
            raise CommandError(f"--term: no term with the slug {options['term']!r}", returncode=2)
        email = options["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"--email: no account with the address {email}", returncode=2)
        membership_grant(term=term, user=user, role=options["role"], actor=None)
        self.stdout.write(f"{user.email} is {options['role']} in {term}.")
