"""``cohortkit calendar export --email EMAIL``: print that person's calendar feed."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.accounts.models import User
from cohortkit.calendars.selectors import calendar_feed_text


class Command(BaseCommand):
    help = "Calendar feeds: print a person's feed (the same text as their secret feed URL)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        export = subcommands.add_parser(
            "export", help="Print the person's meetings and due dates as iCalendar (.ics) text."
        )
        export.add_argument("--email", required=True, help="Whose feed to print.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"--email: no active account with the address {email}", returncode=2)
        self.stdout.write(calendar_feed_text(user=user), ending="")
