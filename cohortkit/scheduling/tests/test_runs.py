"""A run solves in the background (tasks run immediately in tests), writes its progress to its
row, and the organizer's page polls it while it runs and shows the result once done."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.common.errors import ServiceError
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.scheduling.people import participant_id
from cohortkit.scheduling.services.runs import schedule_run_create, schedule_run_execute
from cohortkit.scheduling.solver import parse_solution, validate_solution
from cohortkit.scheduling.tests.factories import ScheduleRunFactory

pytestmark = pytest.mark.django_db


def test_a_run_stores_its_solution_and_progress(
    fall, new_york_section, people, django_capture_on_commit_callbacks
):
    _, members = new_york_section

    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=3)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    solution = parse_solution(run.solution)
    assert validate_solution(parse_instance_of(run), solution) == []
    (section,) = solution.sections
    assert sorted(section.participants) == sorted(participant_id(u.pk) for u in members.values())
    assert (run.placed, run.bound, run.phase) == (4, 4, "done")
    assert run.started_at is not None and run.finished_at is not None
    assert run.finished_at >= run.started_at
    assert run.elapsed_seconds > 0


def parse_instance_of(run):
    from cohortkit.scheduling.solver import parse_instance

    return parse_instance(run.instance)


def test_a_run_is_solved_once_even_if_its_task_runs_twice(fall, new_york_section, people):
    run = ScheduleRun.objects.create(
        term=fall, instance=_instance_json(fall), week_monday=fall.starts_on, time_limit_seconds=2
    )

    assert schedule_run_execute(run_id=run.pk) is True
    assert schedule_run_execute(run_id=run.pk) is False


def _instance_json(term):
    from cohortkit.scheduling.selectors.instances import instance_build
    from cohortkit.scheduling.solver import instance_to_json

    return instance_to_json(instance_build(term=term))


def test_a_second_run_is_refused_while_one_is_in_progress(fall, people):
    ScheduleRunFactory(
        term=fall,
        status=RunStatus.RUNNING,
        solution=None,
        finished_at=None,
        lease_expires_at=timezone.now() + dt.timedelta(minutes=1),
    )

    with pytest.raises(ServiceError, match="already in progress"):
        schedule_run_create(term=fall, actor=people["organizer"])


def test_the_organizer_starts_a_run_and_sees_the_result(
    fall, new_york_section, client_as, django_capture_on_commit_callbacks
):
    client = client_as("organizer")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scheduling:run_start", args=[fall.slug]), {"time_limit": 2})

    run = ScheduleRun.objects.get()
    assert response["Location"] == reverse("scheduling:run_detail", args=[fall.slug, run.pk])
    page = client.get(response["Location"]).content.decode()
    assert "4 of 4 placed" in page
    assert "proven bound on it: 4, so this plan is proven optimal" in page
    assert "From submitted applications: 4 participants and 1 facilitator." in page
    # The viewer's zone is UTC in tests: the section's time, and each member's own.
    assert "Mon, 26 Sep 2022, 22:00 UTC+00:00" in page
    assert "Tue, 27 Sep 2022, 03:30 UTC+05:30, Asia/Kolkata" in page
    assert "Mon, 26 Sep 2022, 23:00 UTC+01:00, Europe/London" in page
    assert 'data-testid="heat-map"' in page


def test_the_progress_partial_polls_while_running_and_reloads_the_page_when_done(fall, client_as):
    running = ScheduleRunFactory(
        term=fall,
        status=RunStatus.RUNNING,
        solution=None,
        finished_at=None,
        objective=37,
        bound=40,
        elapsed_seconds=2.5,
        lease_expires_at=timezone.now() + dt.timedelta(minutes=1),
    )
    client = client_as("organizer")
    url = reverse("scheduling:run_progress", args=[fall.slug, running.pk])

    partial = client.get(url, headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in partial.content.decode()
    assert 'data-testid="run-objective">37<' in partial.content.decode()
    # A reload of the whole page keeps polling the same run.
    page = client.get(reverse("scheduling:sections", args=[fall.slug])).content.decode()
    assert f'hx-get="{url}"' in page

    ScheduleRun.objects.filter(pk=running.pk).update(
        status=RunStatus.DONE, solution=ScheduleRunFactory.build().solution
    )
    finished = client.get(url, headers={"HX-Request": "true"})

    assert finished.headers["HX-Refresh"] == "true"


def test_export_and_import_replay_an_instance(
    fall, new_york_section, client_as, django_capture_on_commit_callbacks
):
    client = client_as("organizer")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("scheduling:run_start", args=[fall.slug]), {"time_limit": 2})
    run = ScheduleRun.objects.get()

    exported = client.get(reverse("scheduling:run_export", args=[fall.slug, run.pk]))
    assert exported["Content-Disposition"].startswith("attachment;")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("instance.json", exported.content, "application/json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scheduling:run_import", args=[fall.slug]),
            {"instance_file": upload, "time_limit": 2},
        )

    replayed = ScheduleRun.objects.exclude(pk=run.pk).get()
    assert response.status_code == 302
    assert replayed.source == "import" and replayed.instance == run.instance
    assert replayed.status == RunStatus.DONE


def test_an_invalid_import_is_refused_with_the_field_named(fall, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "bad.json", b'{"slot_minutes": 20, "meeting_slots": 2}', "application/json"
    )

    response = client_as("organizer").post(
        reverse("scheduling:run_import", args=[fall.slug]),
        {"instance_file": upload, "time_limit": 2},
    )

    assert response.status_code == 400
    assert "slot_minutes: must be 15 or 30" in response.content.decode()
    assert not ScheduleRun.objects.exists()
