"""Solver runs: queue one, claim and solve it in the worker (with a lease), expire runs whose
worker died, start a failed one again."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant
from cohortkit.programs.models import Term
from cohortkit.scheduling import slots
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.scheduling.people import (
    APPLICATIONS,
    IMPORT,
    SOURCE_CHOICES,
    SOURCE_LABELS,
    SOURCE_STATUSES,
    term_people,
)
from cohortkit.scheduling.selectors.instances import instance_build_with_notes
from cohortkit.scheduling.selectors.staleness import source_fingerprint
from cohortkit.scheduling.solver import (
    InstanceError,
    Progress,
    Solution,
    instance_to_json,
    parse_instance,
    solution_to_json,
    solve,
)

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds), plus the final report; the stop flag is read
# as often.
PROGRESS_INTERVAL = 0.5


def run_time_limit_default() -> int:
    """Seconds a run from the page may take at most (``SCHEDULE_RUN_MAX_SECONDS``, 60 by
    default); it ends sooner once its plan is proven optimal."""
    return min(600, max(1, int(settings.SCHEDULE_RUN_MAX_SECONDS)))


def people_placed(solution: Solution) -> int:
    """How many people a solution places (not its objective, which priorities weight)."""
    return sum(len(section.participants) for section in solution.sections)


def schedule_run_create(
    *,
    term: Term,
    actor: Any,
    time_limit_seconds: int | None = None,
    instance_data: Any | None = None,
    source: str | None = None,
) -> ScheduleRun:
    """Queue a solver run on the term's people of ``source`` (submitted applications, released
    offers or confirmed enrollments; by default the one ``people.source_choice`` suggests), or on
    an imported instance (``instance_data``, the contract's JSON), and enqueue its execution
    once this transaction commits. It runs until its plan is proven optimal, at most
    ``time_limit_seconds`` (by default ``run_time_limit_default``). The run records a
    fingerprint of its people and of the published sections, so a run the term has moved away
    from is never published."""
    if time_limit_seconds is None:
        time_limit_seconds = run_time_limit_default()
    if not 1 <= time_limit_seconds <= 600:
        message = "The time limit must be between 1 and 600 seconds."
        raise InvalidInputError(message, field_errors={"time_limit_seconds": message})
    if source is not None and source not in SOURCE_STATUSES and source != APPLICATIONS:
        message = (
            f"Choose the people to use: {', '.join(SOURCE_LABELS[s] for s in SOURCE_CHOICES)}."
        )
        raise InvalidInputError(message, field_errors={"source": message})
    with transaction.atomic():
        Term.objects.select_for_update().filter(pk=term.pk).first()
        schedule_runs_expire(term=term)
        if ScheduleRun.objects.filter(
            term=term, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ).exists():
            raise ConflictError("A run is already in progress; wait for it to finish.")
        monday = slots.reference_monday(term.starts_on)
        if instance_data is None:
            built = instance_build_with_notes(term=term, source=source)
            instance, source, notes = built.instance, built.source, list(built.notes)
            people = built.people
        else:
            try:
                instance = parse_instance(instance_data)
            except InstanceError as error:
                raise InvalidInputError(f"The uploaded instance is invalid: {error}") from error
            source, notes = IMPORT, []
            # Only people of this term are matched; the other ids stay unknown (never an
            # account found by its number).
            people, _ = term_people(term=term).resolve(
                participant_ids=[person.id for person in instance.participants],
                facilitator_ids=[person.id for person in instance.facilitators],
            )
        run = ScheduleRun.objects.create(
            term=term,
            instance=instance_to_json(instance),
            source=source,
            notes=notes,
            people=people,
            participants_total=len(instance.participants),
            source_fingerprint=source_fingerprint(term=term, source=source, instance=instance),
            week_monday=monday,
            time_limit_seconds=time_limit_seconds,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="schedule_run.create", target=run)
        run_id = run.pk

        from cohortkit.scheduling.tasks import schedule_run_execute as execute_task

        transaction.on_commit(lambda: execute_task.enqueue(run_id=run_id))
    return run


WORKER_STOPPED = "the worker stopped"


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=max(1, int(settings.SCHEDULE_RUN_LEASE_SECONDS)))


def schedule_runs_expire(*, term: Term | None = None, now: dt.datetime | None = None) -> int:
    """Mark failed every running run (of ``term``, or of every term) whose worker's lease has
    run out, so a new run may start; returns how many. The page, a new run and the worker all
    call this. A run that finishes after all is not written over (its writes need RUNNING).

    The solver reports progress only when it improves, so a live run may be silent until its
    time limit: its lease lasts until ``started_at + time limit + lease`` and each report
    renews it to at least ``now + lease`` (``SCHEDULE_RUN_LEASE_SECONDS``).
    """
    now = now or timezone.now()
    lease = _lease()
    running = ScheduleRun.objects.filter(status=RunStatus.RUNNING)
    if term is not None:
        running = running.filter(term=term)
    # Runs from before leases existed: the longest time limit and a lease after their start.
    stale = Q(lease_expires_at__lt=now) | Q(
        lease_expires_at__isnull=True, started_at__lt=now - lease - dt.timedelta(seconds=600)
    )
    expired = 0
    for run in running.filter(stale).only("id", "term", "heartbeat_at", "started_at"):
        last = run.heartbeat_at or run.started_at
        message = (
            f"{WORKER_STOPPED}: no word from it since {format_instant(last, 'UTC')} "
            f"(a lease of {int(lease.total_seconds())} s after the time limit). Start it again."
            if last
            else f"{WORKER_STOPPED}. Start it again."
        )
        done = ScheduleRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=message, finished_at=now
        )
        if done:
            expired += 1
            logger.warning("schedule run %s lost its worker; marked failed", run.pk)
            audit_record(actor=None, action="schedule_run.expire", target=run)
    return expired


def schedule_run_execute(*, run_id: int) -> bool:
    """Solve a queued run, writing its progress (and renewing its lease) as it goes; True when
    this call ran it.

    The conditional UPDATE claims the run, so two workers never solve the same one; every
    later write needs the run still RUNNING, so a run marked failed after its lease ran out
    stays failed. Before claiming, the worker marks failed the runs whose workers died.
    """
    schedule_runs_expire()
    run = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).first()
    if run is None:
        return False
    lease = _lease()
    started = timezone.now()
    # Silent solving is alive until the time limit; after it, only a fresh report renews.
    first_deadline = started + dt.timedelta(seconds=run.time_limit_seconds) + lease
    claimed = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=started,
        heartbeat_at=started,
        lease_expires_at=first_deadline,
    )
    if claimed != 1:
        return False
    running = ScheduleRun.objects.filter(pk=run_id, status=RunStatus.RUNNING)
    last_write = [0.0]

    def on_progress(progress: Progress) -> None:
        now = time.monotonic()
        if progress.phase != "done" and now - last_write[0] < PROGRESS_INTERVAL:
            return
        last_write[0] = now
        beat = timezone.now()
        running.update(
            objective=progress.placed,
            bound=progress.bound,
            elapsed_seconds=progress.elapsed_seconds,
            phase=progress.phase[:20],
            heartbeat_at=beat,
            lease_expires_at=max(first_deadline, beat + lease),
        )

    last_look = [0.0]
    stopped = [False]

    def stop() -> bool:
        """Polled by the solver between its steps: has the organizer pressed stop?"""
        now = time.monotonic()
        if now - last_look[0] >= PROGRESS_INTERVAL or not last_look[0]:
            last_look[0] = now
            stopped[0] = running.filter(stop_requested_at__isnull=False).exists()
        return stopped[0]

    try:
        instance = parse_instance(run.instance)
        solution = solve(
            instance,
            time_limit=run.time_limit_seconds,
            progress=on_progress,
            stop=stop,
            max_steps=getattr(settings, "SCHEDULE_RUN_MAX_STEPS", None),
        )
    except Exception as error:
        logger.exception("schedule run %s failed", run_id)
        running.update(status=RunStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        return False
    # Stopped before its plan was proven optimal: "stopped", the best plan so far kept.
    ended = RunStatus.STOPPED if stopped[0] and solution.status != "optimal" else RunStatus.DONE
    finished = running.update(
        status=ended,
        solution=solution_to_json(solution),
        placed=people_placed(solution),
        objective=solution.objective,
        bound=solution.bound,
        elapsed_seconds=solution.seconds,
        phase="done",
        finished_at=timezone.now(),
    )
    return finished == 1


def schedule_run_stop(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
    """The stop button: a running run ends at the solver's next step, keeping the best plan
    found so far (its status then "stopped", the plan usable); a queued run that no worker has
    taken yet ends at once, failed, with nothing to keep."""
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.QUEUED:
            now = timezone.now()
            run.status = RunStatus.FAILED
            run.stop_requested_at = now
            run.started_at = run.started_at or now
            run.finished_at = now
            run.error = "stopped before a worker started it; nothing was solved."
            run.save(
                update_fields=["status", "stop_requested_at", "started_at", "finished_at", "error"]
            )
        elif run.status == RunStatus.RUNNING:
            if run.stop_requested_at is None:
                run.stop_requested_at = timezone.now()
                run.save(update_fields=["stop_requested_at"])
        else:
            raise ConflictError("This run has already ended.")
        audit_record(actor=actor, action="schedule_run.stop", target=run)
    return run


def schedule_run_restart(*, run: ScheduleRun, actor: Any) -> ScheduleRun:
    """Start a failed run again: the same people (built again from its source, or the same
    imported instance) and time limit."""
    if run.status != RunStatus.FAILED:
        raise ConflictError("Only a failed run can be started again.")
    return schedule_run_create(
        term=run.term,
        actor=actor,
        time_limit_seconds=run.time_limit_seconds,
        instance_data=run.instance if run.source == IMPORT else None,
        source=None if run.source == IMPORT else run.source,
    )
