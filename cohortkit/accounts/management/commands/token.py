"""``cohortkit token create|list|revoke``: a person's API tokens from the command line.

The same services as the tokens page (``/accounts/tokens/``): ``create`` prints a token once,
``list`` shows every token of a person with its status, ``revoke`` stops one from opening anything.
"""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.accounts.selectors import api_tokens_of
from cohortkit.accounts.services import api_token_create, api_token_revoke
from cohortkit.common.errors import ServiceError


class Command(BaseCommand):
    help = "Manage API tokens (Authorization: Bearer <token> on /api/v1/)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        create = subcommands.add_parser("create", help="Create a token and print it once.")
        create.add_argument("--email", required=True, help="The person the token acts as.")
        create.add_argument("--name", default="", help="A label to recognise the token by.")
        create.add_argument(
            "--expires-in-days", type=int, default=None, help="Stop working after this many days."
        )
        listing = subcommands.add_parser("list", help="List a person's tokens and their status.")
        listing.add_argument("--email", required=True)
        revoke = subcommands.add_parser("revoke", help="Revoke one token (by the id `list` shows).")
        revoke.add_argument("--email", required=True)
        revoke.add_argument("--id", type=int, required=True, dest="token_id")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"--email: no active account with the address {email}", returncode=2)
        if options["action"] == "list":
            now = timezone.now()
            for token in api_tokens_of(user=user):
                self.stdout.write(
                    "\t".join(
                        [
                            str(token.pk),
                            f"{token.prefix}…",
                            token.status_at(now),
                            f"created {token.created_at:%Y-%m-%d %H:%M} UTC",
                            f"last used {token.last_used_at:%Y-%m-%d %H:%M} UTC"
                            if token.last_used_at
                            else "never used",
                            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC"
                            if token.expires_at
                            else "no expiry",
                            token.name,
                        ]
                    ).rstrip()
                )
            return
        try:
            if options["action"] == "revoke":
                token = api_token_revoke(user=user, token_id=options["token_id"], actor=None)
                self.stdout.write(f"revoked {token.prefix}…")
                return
            days = options["expires_in_days"]
            if days is not None and days < 1:
                raise CommandError("--expires-in-days: at least 1", returncode=2)
            secret = api_token_create(
                user=user,
                name=options["name"],
                expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
            )
        except ServiceError as error:
            raise CommandError(f"{error.message}", returncode=2) from error
        self.stdout.write(secret)
