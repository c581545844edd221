"""Runs from the page go until proven optimal, at most a set number of seconds, with a stop button
that keeps the best plan so far; the page counts people placed, apart from the objective (which
priorities weight) and its bound. Counted steps, never the clock."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.common.errors import ConflictError
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.scheduling.services.runs import (
    schedule_run_create,
    schedule_run_execute,
    schedule_run_stop,
)
from cohortkit.scheduling.solver import (
    instance_to_json,
    parse_instance,
    parse_solution,
    validate_solution,
)
from cohortkit.scheduling.solver.generate import generate_instance
from cohortkit.scheduling.tests.factories import ScheduleRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def weighted():
    """A generated instance (40, seed 0) whose priorities make an optimum of 45: the start
    reaches 44, short of the bound, so a stopped run really stops early."""
    return generate_instance(40, seed=0).instance


def _queued(term, instance):
    return ScheduleRun.objects.create(
        term=term,
        instance=instance_to_json(instance),
        week_monday=dt.date(2022, 9, 26),
        time_limit_seconds=60,
        participants_total=len(instance.participants),
    )


def test_a_run_starts_with_the_time_limit_setting_as_its_most(fall, people, settings):
    settings.SCHEDULE_RUN_MAX_SECONDS = 45

    run = schedule_run_create(term=fall, actor=people["organizer"])

    assert run.time_limit_seconds == 45


def test_the_page_offers_until_optimal_at_most_the_setting(fall, client_as, settings):
    settings.SCHEDULE_RUN_MAX_SECONDS = 60

    page = client_as("organizer").get(reverse("scheduling:sections", args=[fall.slug]))

    text = page.content.decode()
    assert 'name="time_limit" value="60"' in text
    assert "The run ends as soon as its plan is proven optimal, and after this at most." in text


def test_a_stopped_run_keeps_its_best_plan_and_says_it_was_stopped(
    fall, weighted, people, settings, client_as
):
    settings.SCHEDULE_RUN_MAX_STEPS = 1
    run = _queued(fall, weighted)
    # The organizer pressed stop once the worker had it: the worker reads the flag at its
    # first step.
    ScheduleRun.objects.filter(pk=run.pk).update(stop_requested_at=timezone.now())

    assert schedule_run_execute(run_id=run.pk) is True

    run.refresh_from_db()
    assert run.status == RunStatus.STOPPED
    solution = parse_solution(run.solution)
    assert validate_solution(parse_instance(run.instance), solution) == []
    assert solution.status == "feasible"
    people_placed = sum(len(section.participants) for section in solution.sections)
    assert (run.placed, run.objective, run.bound) == (people_placed, 44, 45)
    assert run.has_plan

    page = client_as("organizer").get(reverse("scheduling:run_detail", args=[fall.slug, run.pk]))
    text = page.content.decode()
    assert "Stopped" in text
    assert "You stopped this run before its plan was proven optimal" in text
    assert f"{people_placed} of {len(weighted.participants)} placed" in text
    # Usable as any other plan: it can be changed by hand (and published, were its ids people
    # of the term; these generated ones are not, which the page says).
    assert 'data-testid="move-form"' in text
    assert "this run can be solved and exported but not published" in text


def test_the_stop_button_sets_the_flag_of_a_running_run(fall, client_as):
    run = ScheduleRunFactory(
        term=fall,
        status=RunStatus.RUNNING,
        solution=None,
        finished_at=None,
        lease_expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    client = client_as("organizer")
    page = client.get(reverse("scheduling:run_progress", args=[fall.slug, run.pk]))
    assert "Stop and keep the best plan so far" in page.content.decode()

    response = client.post(reverse("scheduling:run_stop", args=[fall.slug, run.pk]))

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.stop_requested_at is not None
    assert run.status == RunStatus.RUNNING  # the worker ends it at its next step
    page = client.get(reverse("scheduling:run_progress", args=[fall.slug, run.pk]))
    assert "Stopping: the run ends at its next step" in page.content.decode()


def test_a_queued_run_stopped_ends_at_once_and_a_finished_one_is_refused(fall, people):
    queued = ScheduleRunFactory(term=fall, status=RunStatus.QUEUED, solution=None, finished_at=None)

    schedule_run_stop(run=queued, actor=people["organizer"])

    queued.refresh_from_db()
    assert queued.status == RunStatus.FAILED
    assert "stopped before a worker started it" in queued.error
    with pytest.raises(ConflictError, match="already ended"):
        schedule_run_stop(run=ScheduleRunFactory(term=fall), actor=people["organizer"])


def test_the_page_says_people_placed_not_the_weighted_objective(
    fall, weighted, client_as, settings
):
    """Priorities weight the objective (it exceeds the people placed): the page never says
    "Placed <objective> of ..."; it says how many people, and shows the objective and bound
    apart, labelled."""
    settings.SCHEDULE_RUN_MAX_STEPS = 20
    run = _queued(fall, weighted)
    schedule_run_execute(run_id=run.pk)
    run.refresh_from_db()
    solution = parse_solution(run.solution)
    people_placed = sum(len(section.participants) for section in solution.sections)
    assert solution.objective > people_placed  # the weights are what this test is about

    page = client_as("organizer").get(reverse("scheduling:run_detail", args=[fall.slug, run.pk]))

    text = page.content.decode()
    assert f"{people_placed} of {len(weighted.participants)} placed" in text
    assert (
        "Objective (the total priority of those placed, what the scheduler maximizes): "
        f"{solution.objective}; proven bound on it: {solution.bound}"
    ) in text
    assert f"Placed {solution.objective} of" not in text
