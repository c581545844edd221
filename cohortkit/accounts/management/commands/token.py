"""``cohortkit token create --email EMAIL``: print a new API token for that person."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.accounts.models import User
from cohortkit.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Manage API tokens (Authorization: Bearer <token> on /api/v1/)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        create = subcommands.add_parser("create", help="Create a token and print it once.")
        create.add_argument("--email", required=True, help="The person the token acts as.")
        create.add_argument("--name", default="", help="A label to recognise the token by.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"--email: no active account with the address {email}", returncode=2)
        token = api_token_create(user=user, name=options["name"])
        self.stdout.write(token)
