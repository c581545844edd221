"""Scheduled jobs: each due job runs once however many workers look, and a killed worker's job
runs again once its lease has run out."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from cohortkit.common.models import PeriodicJob
from cohortkit.common.periodic import JobSpec, periodic_job_claim, periodic_run_due

EVERY = dt.timedelta(hours=1)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dt.datetime] = []
        self.lock = threading.Lock()

    def __call__(self, *, now: dt.datetime) -> None:
        with self.lock:
            self.calls.append(now)


@pytest.mark.django_db(transaction=True)
def test_two_workers_looking_at_once_run_each_due_job_once():
    recorders = {name: Recorder() for name in ("reminders", "lapses", "digest")}
    jobs = [
        JobSpec(name=name, function=recorder, every=EVERY) for name, recorder in recorders.items()
    ]
    now = timezone.now()
    barrier = threading.Barrier(2)
    ran: dict[str, list[str]] = {}

    def worker(identity: str) -> None:
        barrier.wait()
        try:
            ran[identity] = periodic_run_due(worker=identity, now=now, jobs=jobs)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {name: len(recorder.calls) for name, recorder in recorders.items()} == dict.fromkeys(
        recorders, 1
    )
    assert sorted(ran["a"] + ran["b"]) == sorted(recorders)
    assert set(PeriodicJob.objects.values_list("runs", flat=True)) == {1}


@pytest.mark.django_db
def test_a_job_runs_again_only_when_it_is_due_again():
    recorder = Recorder()
    jobs = [JobSpec(name="reminders", function=recorder, every=EVERY)]
    start = timezone.now()

    first = periodic_run_due(worker="a", now=start, jobs=jobs)
    too_soon = periodic_run_due(worker="a", now=start + EVERY / 2, jobs=jobs)
    due_again = periodic_run_due(worker="b", now=start + EVERY + dt.timedelta(seconds=1), jobs=jobs)

    assert (first, too_soon, due_again) == (["reminders"], [], ["reminders"])
    assert len(recorder.calls) == 2


@pytest.mark.django_db
def test_a_failing_job_keeps_its_error_and_is_retried_soon(settings):
    settings.PERIODIC_RETRY_SECONDS = 300

    def broken(*, now):
        raise RuntimeError("the mail server is down")

    jobs = [JobSpec(name="digest", function=broken, every=EVERY)]
    start = timezone.now()

    periodic_run_due(worker="a", now=start, jobs=jobs)
    job = PeriodicJob.objects.get(name="digest")
    retried = periodic_run_due(worker="a", now=start + dt.timedelta(seconds=301), jobs=jobs)

    assert "the mail server is down" in job.last_error
    assert job.next_run_at <= start + dt.timedelta(seconds=301)
    assert retried == ["digest"]


@pytest.mark.django_db
def test_a_leased_job_waits_for_the_lease_to_run_out(settings):
    settings.PERIODIC_LEASE_SECONDS = 600
    recorder = Recorder()
    jobs = [JobSpec(name="lapses", function=recorder, every=EVERY)]
    start = timezone.now()
    PeriodicJob.objects.create(name="lapses", next_run_at=start)

    assert periodic_job_claim(name="lapses", worker="dead", now=start)
    while_leased = periodic_run_due(worker="b", now=start + dt.timedelta(seconds=599), jobs=jobs)
    after_lease = periodic_run_due(worker="b", now=start + dt.timedelta(seconds=601), jobs=jobs)

    assert while_leased == [] and after_lease == ["lapses"]
    assert len(recorder.calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_job_runs_again_after_its_lease(tmp_path, settings):
    """A real process claims the job and is killed (SIGKILL) while running it."""
    settings.PERIODIC_LEASE_SECONDS = 600
    started_marker = tmp_path / "started"
    environment = {**os.environ, "PERIODIC_PROBE_STARTED": str(started_marker)}
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        environment.pop("DATABASE_URL", None)
        environment["SQLITE_PATH"] = database["NAME"]
    else:
        environment["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        )
    environment |= {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "cohortkit.settings"}
    script = (
        "import django; django.setup();"
        "import datetime as dt;"
        "from cohortkit.common.periodic import JobSpec, periodic_run_due;"
        "from cohortkit.common.tests.periodic_probes import block_until_killed;"
        "periodic_run_due(worker='doomed', jobs=[JobSpec(name='digest',"
        " function=block_until_killed, every=dt.timedelta(hours=1))])"
    )
    doomed = subprocess.Popen([sys.executable, "-c", script], env=environment)
    try:
        deadline = time.monotonic() + 120
        while not started_marker.exists():
            assert doomed.poll() is None, "the worker process ended before running the job"
            assert time.monotonic() < deadline, "the worker process never started the job"
            time.sleep(0.05)
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    recorder = Recorder()
    jobs = [JobSpec(name="digest", function=recorder, every=EVERY)]
    claimed = PeriodicJob.objects.get(name="digest")
    assert claimed.running_until is not None

    soon = periodic_run_due(worker="b", now=timezone.now(), jobs=jobs)
    later = periodic_run_due(
        worker="b", now=claimed.running_until + dt.timedelta(seconds=1), jobs=jobs
    )

    assert claimed.running_on == "doomed"
    assert soon == [] and later == ["digest"]
    assert len(recorder.calls) == 1
