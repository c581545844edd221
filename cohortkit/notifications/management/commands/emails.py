"""``cohortkit emails send-due`` and ``cohortkit emails status``: the outbox from the shell."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from cohortkit.notifications.selectors import failed_emails, outbound_email_status_counts
from cohortkit.notifications.services import email_send_due


class Command(BaseCommand):
    help = "Send the emails that are due now, or show how many emails are in each status."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        subcommands.add_parser(
            "send-due",
            help="Send every due email now (workers do this by themselves; no cron needed).",
        )
        subcommands.add_parser("status", help="Count emails by status and list the failed ones.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "send-due":
            self.stdout.write(f"Sent {email_send_due()} email(s).")
            return
        for status, count in outbound_email_status_counts().items():
            self.stdout.write(f"{status}: {count}")
        for email in failed_emails()[:50]:
            self.stdout.write(f"failed: {email.to} {email.subject!r}: {email.last_error}")
