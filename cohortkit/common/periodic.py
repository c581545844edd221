"""Work that runs on a schedule from the workers themselves, with no cron line.

Each ``cohortkit worker`` process runs, beside its task loop, a ticker thread that wakes every
``PERIODIC_TICK_SECONDS`` and runs the jobs that are due (``settings.PERIODIC_JOBS``: name → the
dotted path of a function called as ``function(now=instant)`` and its interval in seconds).

Why a database-claimed tick rather than a scheduler library: it needs nothing beyond the database
the workers already share, it works the same on SQLite and PostgreSQL, and exactly-once per due
time follows from one conditional UPDATE. A job is claimed by setting a lease
(``running_until = now + PERIODIC_LEASE_SECONDS``) only where it is due and not leased; the worker
that claimed it runs it and then sets the next due time. Two workers never run the same due job; a
worker killed mid-job leaves a lease that runs out, after which another worker runs the job again
(so jobs must be idempotent, as every job here is: reminders, lapses and digests record what they
sent). A failed job is retried after ``PERIODIC_RETRY_SECONDS`` and its error is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from cohortkit.common.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: Callable[..., Any]
    every: dt.timedelta


def registered_jobs(table: Mapping[str, tuple[str, int]] | None = None) -> list[JobSpec]:
    """The jobs of ``settings.PERIODIC_JOBS`` (or ``table``), their functions imported."""
    source = settings.PERIODIC_JOBS if table is None else table
    return [
        JobSpec(name=name, function=import_string(path), every=dt.timedelta(seconds=seconds))
        for name, (path, seconds) in sorted(source.items())
    ]


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PERIODIC_LEASE_SECONDS)


def periodic_job_claim(*, name: str, worker: str, now: dt.datetime) -> bool:
    """Take the lease of a due, unleased job; True for the one worker that got it."""
    claimed = PeriodicJob.objects.filter(
        Q(running_until__isnull=True) | Q(running_until__lt=now),
        name=name,
        next_run_at__lte=now,
    ).update(running_until=now + _lease(), running_on=worker[:100], last_started_at=now)
    return claimed == 1


def periodic_job_finish(
    *, name: str, worker: str, started: dt.datetime, every: dt.timedelta, error: str = ""
) -> None:
    """Give the lease back and set the next due time (sooner after a failure)."""
    finished = timezone.now()
    retry = dt.timedelta(seconds=settings.PERIODIC_RETRY_SECONDS)
    delay = min(every, retry) if error else every
    PeriodicJob.objects.filter(name=name, running_on=worker[:100], last_started_at=started).update(
        running_until=None,
        running_on="",
        next_run_at=max(started + delay, finished),
        last_finished_at=finished,
        last_error=error[-5000:],
        runs=F("runs") + 1,
    )


def periodic_run_due(
    *, worker: str, now: dt.datetime | None = None, jobs: list[JobSpec] | None = None
) -> list[str]:
    """Run every due job this worker can claim; return the names of those it ran."""
    moment = now or timezone.now()
    specs = registered_jobs() if jobs is None else jobs
    for spec in specs:
        PeriodicJob.objects.get_or_create(name=spec.name, defaults={"next_run_at": moment})
    ran: list[str] = []
    for spec in specs:
        if not periodic_job_claim(name=spec.name, worker=worker, now=moment):
            continue
        error = ""
        try:
            spec.function(now=moment)
        except Exception:
            error = traceback.format_exc()
            logger.exception("periodic job %s failed", spec.name)
        periodic_job_finish(
            name=spec.name, worker=worker, started=moment, every=spec.every, error=error
        )
        ran.append(spec.name)
    return ran


class Ticker(threading.Thread):
    """The thread a worker runs beside its task loop: every tick, the due jobs."""

    def __init__(self, *, worker: str, seconds: float) -> None:
        super().__init__(name=f"periodic-{worker}", daemon=True)
        self.worker = worker
        self.seconds = seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            close_old_connections()
            try:
                periodic_run_due(worker=self.worker)
            except Exception:  # a database hiccup must not end the schedule
                logger.exception("periodic tick failed")
            finally:
                connections.close_all()
            self.stopping.wait(self.seconds)

    def stop(self) -> None:
        self.stopping.set()
