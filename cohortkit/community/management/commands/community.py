"""``cohortkit community digest`` and ``cohortkit community send-announcements`` (run from cron)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from cohortkit.community.services import announcements_send_due, digests_send


class Command(BaseCommand):
    help = "Periodic work of questions and announcements; repeating it sends nothing twice."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        subcommands.add_parser(
            "digest",
            help="Email each organizer today's digest of new questions and conversations "
            "(once a day per organizer; run it daily, or hourly: later runs send nothing).",
        )
        subcommands.add_parser(
            "send-announcements",
            help="Send the announcements whose time has come and that nobody has sent yet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["action"] == "digest":
            self.stdout.write(f"Queued {digests_send(now=now)} digest(s).")
        else:
            self.stdout.write(f"Sent {announcements_send_due(now=now)} announcement(s).")
