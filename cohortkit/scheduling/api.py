"""Scheduling routes of the JSON API: the same runs as the organizer's page.

Starting a run queues the same background task (on the term's own instance, or on an instance
JSON given in the body, as the contract describes); reading it gives its progress and, when done,
the solution in the contract's format.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cohortkit.scheduling import rules
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.selectors.placements import run_unknown_ids
from cohortkit.scheduling.services.runs import schedule_run_create, schedule_runs_expire

router = Router(tags=["scheduling"])


class RunIn(Schema):
    # At most; the run ends sooner once its plan is proven optimal. Left out: the setting
    # ``SCHEDULE_RUN_MAX_SECONDS`` (60 by default), as on the page.
    time_limit_seconds: int | None = None
    # An instance in the contract's format; without it, the term's own instance is built from
    # ``source``: "applications", "offers" (offered or confirmed places) or "enrollments"
    # (confirmed); left out, the one the organizer's page suggests. The run's ``source`` says
    # which was used.
    instance: dict[str, Any] | None = None
    source: str | None = None


class RunOut(Schema):
    id: int
    status: str
    source: str
    time_limit_seconds: int
    # People placed, of ``participants_total``; apart from the ``objective`` (the total
    # priority placed, what the solver maximizes) and its proven ``bound``.
    placed: int
    participants_total: int
    objective: int
    bound: int
    # Set by the stop button: the run ends at its next step as "stopped", its plan kept.
    stop_requested_at: dt.datetime | None
    elapsed_seconds: float
    created_at: dt.datetime
    # While running: the worker's last report; a run past its lease is marked failed.
    heartbeat_at: dt.datetime | None
    finished_at: dt.datetime | None
    published_at: dt.datetime | None
    error: str
    notes: list[str]
    # Ids of the instance that name nobody of this term (an imported instance): never matched
    # to an account; a run with any cannot be published.
    unknown_ids: list[str]
    solution: dict[str, Any] | None


class RefusalOut(Schema):
    """A refused request, as the API's refusal handler answers it."""

    detail: str
    field_errors: dict[str, str] = {}


def _run_out(run: ScheduleRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "source": run.source,
        "time_limit_seconds": run.time_limit_seconds,
        "placed": run.placed,
        "participants_total": run.participants_total,
        "objective": run.objective,
        "bound": run.bound,
        "stop_requested_at": run.stop_requested_at,
        "elapsed_seconds": run.elapsed_seconds,
        "created_at": run.created_at,
        "heartbeat_at": run.heartbeat_at,
        "finished_at": run.finished_at,
        "published_at": run.published_at,
        "error": run.error,
        "notes": [str(note) for note in run.notes],
        "unknown_ids": run_unknown_ids(run),
        "solution": run.solution,
    }


@router.post(
    "/terms/{slug}/schedule/runs",
    response={202: RunOut, 400: RefusalOut, 409: RefusalOut},
    summary="Queue a solver run on the term (or on a given instance)",
)
def run_create(request: HttpRequest, slug: str, payload: RunIn) -> Any:
    term = rules.require_scheduler(request, slug)
    run = schedule_run_create(
        term=term,
        actor=request.user,
        time_limit_seconds=payload.time_limit_seconds,
        instance_data=payload.instance,
        source=payload.source if payload.instance is None else None,
    )
    run.refresh_from_db()
    return 202, _run_out(run)


@router.get("/terms/{slug}/schedule/runs", response=list[RunOut], summary="The term's runs")
def runs_list(request: HttpRequest, slug: str) -> Any:
    term = rules.require_scheduler(request, slug)
    schedule_runs_expire(term=term)
    return [_run_out(run) for run in ScheduleRun.objects.filter(term=term).order_by("-created_at")]


@router.get(
    "/terms/{slug}/schedule/runs/{run_id}",
    response=RunOut,
    summary="One run: progress while it runs, the solution when done",
)
def run_detail(request: HttpRequest, slug: str, run_id: int) -> Any:
    term = rules.require_scheduler(request, slug)
    schedule_runs_expire(term=term)
    return _run_out(get_object_or_404(ScheduleRun, pk=run_id, term=term))


@router.get(
    "/terms/{slug}/schedule/runs/{run_id}/instance",
    response=dict[str, Any],
    summary="The run's instance, in the contract's JSON",
)
def run_instance(request: HttpRequest, slug: str, run_id: int) -> Any:
    term = rules.require_scheduler(request, slug)
    run = ScheduleRun.objects.filter(pk=run_id, term=term).first()
    if run is None:
        raise Http404("No such run")
    return run.instance
