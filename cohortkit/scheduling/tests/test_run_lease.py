"""A run whose worker died does not stay "running" forever: its lease (renewed by the solver's
progress reports) runs out, the page, a new run or the worker mark it failed ("the worker
stopped"), and the organizer can start it again. No sleeps: the lease is set in the past."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.common.errors import ServiceError
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.scheduling.services.runs import (
    schedule_run_create,
    schedule_run_execute,
    schedule_runs_expire,
)
from cohortkit.scheduling.tests.factories import ScheduleRunFactory

pytestmark = pytest.mark.django_db


def _running(term, *, lease_left, **fields):
    """A run a worker claimed; ``lease_left`` from now until its lease runs out."""
    now = timezone.now()
    return ScheduleRunFactory(
        term=term,
        status=RunStatus.RUNNING,
        solution=None,
        started_at=now - dt.timedelta(minutes=5),
        finished_at=None,
        heartbeat_at=now - dt.timedelta(minutes=4),
        lease_expires_at=now + lease_left,
        placed=3,
        **fields,
    )


def test_the_page_shows_a_run_whose_worker_died_as_failed_and_offers_to_start_it_again(
    fall, new_york_section, client_as, django_capture_on_commit_callbacks
):
    dead = _running(fall, lease_left=dt.timedelta(seconds=-1), source="applications")
    client = client_as("organizer")

    page = client.get(reverse("scheduling:sections", args=[fall.slug])).content.decode()

    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and dead.finished_at is not None
    assert 'data-testid="run-status">Failed<' in page
    assert "The run failed: the worker stopped: no word from it since" in page
    assert "hx-trigger" not in page  # nothing left to poll
    with django_capture_on_commit_callbacks(execute=True):
        restarted = client.post(reverse("scheduling:run_restart", args=[fall.slug, dead.pk]))
    again = ScheduleRun.objects.exclude(pk=dead.pk).get()
    assert restarted["Location"] == reverse("scheduling:run_detail", args=[fall.slug, again.pk])
    assert (again.status, again.source, again.placed) == (RunStatus.DONE, "applications", 4)


def test_the_progress_poll_ends_when_the_lease_runs_out(fall, client_as):
    dead = _running(fall, lease_left=dt.timedelta(seconds=-1))
    url = reverse("scheduling:run_progress", args=[fall.slug, dead.pk])

    response = client_as("organizer").get(url, headers={"HX-Request": "true"})

    assert response.headers["HX-Refresh"] == "true"
    assert ScheduleRun.objects.get(pk=dead.pk).status == RunStatus.FAILED


def test_a_new_run_may_start_once_the_stuck_one_has_lost_its_lease(
    fall, new_york_section, people, django_capture_on_commit_callbacks
):
    dead = _running(fall, lease_left=dt.timedelta(seconds=-1))

    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=2)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and dead.error.startswith("the worker stopped")


def test_a_run_inside_its_lease_still_blocks_a_second_one(fall, people):
    alive = _running(fall, lease_left=dt.timedelta(seconds=30))

    with pytest.raises(ServiceError, match="already in progress"):
        schedule_run_create(term=fall, actor=people["organizer"])

    assert schedule_runs_expire() == 0
    alive.refresh_from_db()
    assert alive.status == RunStatus.RUNNING


def test_the_worker_marks_dead_runs_failed_before_it_solves(fall, other_term, new_york_section):
    dead = _running(other_term, lease_left=dt.timedelta(seconds=-1))
    queued = ScheduleRunFactory(
        term=fall,
        status=RunStatus.QUEUED,
        solution=None,
        started_at=None,
        finished_at=None,
        instance=ScheduleRunFactory.build().instance,
    )

    assert schedule_run_execute(run_id=queued.pk) is True

    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED


def test_a_run_from_before_leases_is_failed_once_past_the_longest_time_limit(fall):
    old = _running(fall, lease_left=dt.timedelta(0))
    ScheduleRun.objects.filter(pk=old.pk).update(
        lease_expires_at=None, started_at=timezone.now() - dt.timedelta(hours=1)
    )

    assert schedule_runs_expire(term=fall) == 1


def test_a_solving_worker_renews_its_lease(
    fall, new_york_section, people, django_capture_on_commit_callbacks, settings
):
    settings.SCHEDULE_RUN_LEASE_SECONDS = 45
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=2)

    run.refresh_from_db()
    started, beat, expires = run.started_at, run.heartbeat_at, run.lease_expires_at
    assert run.status == RunStatus.DONE
    assert started is not None and beat is not None and expires is not None
    assert beat >= started >= before
    # The lease covers the time limit and then the setting, from the start or the last report.
    assert expires >= started + dt.timedelta(seconds=2 + 45)
    assert expires >= beat + dt.timedelta(seconds=45)


def test_only_organizers_of_the_term_restart_a_run(fall, client_as):
    dead = ScheduleRunFactory(term=fall, status=RunStatus.FAILED, solution=None)
    url = reverse("scheduling:run_restart", args=[fall.slug, dead.pk])

    assert client_as("organizer_other_term").post(url).status_code == 404
    assert client_as("participant").post(url).status_code == 403
    assert not ScheduleRun.objects.exclude(pk=dead.pk).exists()
