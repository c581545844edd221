"""``cohortkit worker``: background tasks (emails, scheduling runs) and the scheduled jobs.

The same as django-tasks' ``db_worker`` (same options), plus a thread that runs the jobs of
``settings.PERIODIC_JOBS`` when they are due (reminders, offer lapses, digests, retention): no cron
line is needed. Run as many as you like; each due job runs once (``cohortkit.common.periodic``).
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from cohortkit.common.periodic import Ticker


class Command(DatabaseWorkerCommand):
    help = "Run background tasks and the scheduled jobs (reminders, lapses, digests), no cron."

    def handle(self, *args: Any, **options: Any) -> None:
        identity = f"{socket.gethostname()}:{os.getpid()}"
        ticker = Ticker(worker=identity, seconds=settings.PERIODIC_TICK_SECONDS)
        ticker.start()
        try:
            super().handle(*args, **options)
        finally:
            ticker.stop()
