"""``cohortkit reminders send``: email participants about work due within the next day."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from cohortkit.coursework.reminders import reminders_send


class Command(BaseCommand):
    help = "Remind participants of unfinished work due within a day (run it hourly from cron)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        subcommands.add_parser("send", help="Queue the reminders; repeating sends nothing new.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = reminders_send(now=timezone.now())
        self.stdout.write(
            f"Checked {summary.checked_people} participant(s); queued {summary.queued} reminder(s)."
        )
