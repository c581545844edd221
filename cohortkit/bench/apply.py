"""``make bench-apply``: a deadline rush against gunicorn and PostgreSQL on this machine.

Many applicants at once each save their draft three times (a third, two thirds, all of the
answers); then, as the deadline nears, they all submit at once, and some of them (one in ten by
default, ``--retry-share``) submit twice: a double click or a retried request. Everything goes
through the JSON API and so through the same services as the pages. Submissions per second is the
rate of that final rush; the draft phase is reported beside it. In the same run, the same load
goes to a bare view that inserts one row, the floor for any write through Django here. Prints
submissions per second, p50/p99 latency, lost and duplicated submissions, and the ratio to the
baseline.

Run it with ``scripts/with-postgres .venv/bin/python -m cohortkit.bench.apply`` (what the Makefile
target does); it refuses SQLite, which would measure something else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMS_FILE = Path(__file__).resolve().parents[1] / "admissions" / "data" / "ml-safety-forms.yaml"


@dataclass
class Timings:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if not ok:
                self.failures[kind] = self.failures.get(kind, 0) + 1


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Client:
    """One keep-alive HTTP connection per thread."""

    local = threading.local()

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, body: Any, headers: dict[str, str]) -> int:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.local.connection = connection
        payload = json.dumps(body) if body is not None else ""
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        except (http.client.HTTPException, OSError):
            connection.close()
            self.local.connection = None
            return 599


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def setup(applicants: int) -> tuple[str, list[str], dict[str, str]]:
    """A term open for applications, its forms, and applicants with API tokens."""
    import django

    django.setup()
    from django.core.management import call_command

    from cohortkit.accounts.models import User
    from cohortkit.accounts.services import api_token_create
    from cohortkit.admissions.services.loading_forms import application_forms_load
    from cohortkit.programs.models import Program, Term

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    now = dt.datetime.now(dt.UTC)
    program, _ = Program.objects.get_or_create(slug="bench", defaults={"name": "Benchmark program"})
    slug = f"bench-{secrets.token_hex(3)}"
    term = Term.objects.create(
        program=program,
        slug=slug,
        name="Rush",
        starts_on=(now + dt.timedelta(days=30)).date(),
        ends_on=(now + dt.timedelta(days=90)).date(),
        participant_deadline=now + dt.timedelta(days=1),
        facilitator_deadline=now + dt.timedelta(days=1),
    )
    application_forms_load(term=term, text=FORMS_FILE.read_text(encoding="utf-8"))
    users = User.objects.bulk_create(
        User(email=f"rush{number}@{slug}.example.net", name=f"Rush {number}", time_zone="UTC")
        for number in range(applicants)
    )
    tokens = [
        api_token_create(user=user) for user in User.objects.filter(pk__in=[u.pk for u in users])
    ]
    answers = {
        "student": "graduate",
        "deep_learning": "yes",
        "linear_algebra_statistics": "some",
        "multivariate_calculus": "yes",
        "background_level": "-1.5",
        "track": "advanced",
        "mode": "virtual",
        "us_work_eligibility": "no",
        "time_zone": "Asia/Kolkata",
        "availability": "Mon 18:00-21:00; Sat 10:00-13:00",
        "motivation": "I want to work on making ML systems safe.",
        "commitment": "yes",
    }
    return slug, tokens, answers


def rush(
    *,
    port: int,
    slug: str,
    tokens: list[str],
    answers: dict[str, str],
    concurrency: int,
    timings: Timings,
    retry_share: float,
) -> tuple[float, float]:
    """Drafts for everyone, then the submit rush; returns the seconds of each phase."""
    client = Client(port)
    base = f"/api/v1/terms/{slug}/forms/participant/application"
    keys = list(answers)
    thirds = [keys[: len(keys) // 3], keys[: 2 * len(keys) // 3], keys]

    def headers(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def drafts(token: str) -> None:
        for part in thirds:
            started = time.perf_counter()
            body = {"answers": {key: answers[key] for key in part}}
            status = client.request("PUT", base, body, headers(token))
            timings.record("draft", time.perf_counter() - started, status == 200)

    retrying = set(tokens[: round(retry_share * len(tokens))])

    def submit(token: str) -> None:
        for kind in ("submit", "retry") if token in retrying else ("submit",):
            started = time.perf_counter()
            status = client.request("POST", f"{base}/submit", {}, headers(token))
            timings.record(kind, time.perf_counter() - started, status == 200)

    seconds = []
    for phase in (drafts, submit):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(phase, tokens))
        seconds.append(time.perf_counter() - started)
    return seconds[0], seconds[1]


def baseline(*, port: int, requests: int, concurrency: int, timings: Timings) -> float:
    client = Client(port)

    def one(_: int) -> None:
        started = time.perf_counter()
        status = client.request("POST", "/bench/insert/", None, {})
        timings.record("insert", time.perf_counter() - started, status == 204)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(requests)))
    return time.perf_counter() - started


def verify(slug: str, applicants: int) -> tuple[int, int]:
    """(lost, duplicates): submissions missing, and applications or confirmations beyond one."""
    from django.db.models import Count

    from cohortkit.admissions.models import Application
    from cohortkit.notifications.models import OutboundEmail

    applications = Application.objects.filter(form__term__slug=slug)
    submitted = applications.filter(status="submitted").count()
    extra_applications = sum(
        row["n"] - 1
        for row in applications.values("applicant").annotate(n=Count("id")).filter(n__gt=1)
    )
    confirmations = OutboundEmail.objects.filter(
        idempotency_key__startswith="application-received:",
        to__endswith=f"@{slug}.example.net",
    ).count()
    return applicants - submitted, extra_applications + max(0, confirmations - submitted)


def bench_environment_set(name: str) -> bool:
    """Point this process at the benchmark's PostgreSQL with production-like settings (no debug,
    a fresh secret key, the benchmark endpoints mounted); False (and says so) without PostgreSQL."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(f"{name} needs PostgreSQL: run it through scripts/with-postgres", file=sys.stderr)
        return False
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cohortkit.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "BENCHMARK_ENDPOINTS": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "STATIC_ROOT": os.environ.get(
                "STATIC_ROOT", tempfile.mkdtemp(prefix="cohortkit-static-")
            ),
        }
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--applicants", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--retry-share",
        type=float,
        default=0.1,
        help="share of applicants who submit twice (double click, retried request)",
    )
    options = parser.parse_args(argv)
    if not bench_environment_set("bench-apply"):
        return 2
    print(f"setting up {options.applicants} applicants …", flush=True)
    slug, tokens, answers = setup(options.applicants)

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "cohortkit.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(options.workers),
            "--worker-class", "gthread",
            "--threads", str(options.threads),
            "--log-level", "warning",
        ],
        env=dict(os.environ),
    )  # fmt: skip
    try:
        wait_until_up(port)
        warm = Timings()
        baseline(port=port, requests=200, concurrency=options.concurrency, timings=warm)
        base_timings = Timings()
        base_seconds = baseline(
            port=port,
            requests=options.applicants * 5,
            concurrency=options.concurrency,
            timings=base_timings,
        )
        rush_timings = Timings()
        draft_seconds, submit_seconds = rush(
            port=port,
            slug=slug,
            tokens=tokens,
            answers=answers,
            concurrency=options.concurrency,
            timings=rush_timings,
            retry_share=options.retry_share,
        )
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    lost, duplicates = verify(slug, options.applicants)

    def report(label: str, timing: Timings, seconds: float, count: int) -> str:
        every = [value for values in timing.latencies.values() for value in values]
        return (
            f"{label:<28} {count / seconds:8.1f}/s   "
            f"p50 {1000 * percentile(every, 0.5):6.1f} ms   "
            f"p99 {1000 * percentile(every, 0.99):6.1f} ms   "
            f"failed {sum(timing.failures.values())}"
        )

    rush_seconds = draft_seconds + submit_seconds
    requests = sum(len(values) for values in rush_timings.latencies.values())
    base_requests = len(base_timings.latencies.get("insert", []))
    submissions_per_second = options.applicants / submit_seconds
    print()
    print(
        f"deadline rush: {options.applicants} applicants, concurrency {options.concurrency}, "
        f"gunicorn {options.workers} workers × {options.threads} threads, PostgreSQL, "
        f"{os.cpu_count()} cores"
    )
    print(report("baseline one-row insert", base_timings, base_seconds, base_requests))
    print(report("applying (all requests)", rush_timings, rush_seconds, requests))
    for kind in ("draft", "submit", "retry"):
        values = rush_timings.latencies.get(kind, [])
        print(
            f"  {kind:<26} p50 {1000 * percentile(values, 0.5):6.1f} ms   "
            f"p99 {1000 * percentile(values, 0.99):6.1f} ms   "
            f"failed {rush_timings.failures.get(kind, 0)}"
        )
    print(f"drafts saved per second       {3 * options.applicants / draft_seconds:8.1f}/s")
    print(
        f"submissions per second       {submissions_per_second:8.1f}/s   "
        f"(the rush: {options.applicants} submits and "
        f"{len(rush_timings.latencies.get('retry', []))} repeated ones in {submit_seconds:.1f} s)"
    )
    print(f"lost = {lost}, duplicates = {duplicates}")
    print(
        "ratio of applying requests/s to baseline requests/s: "
        f"{(requests / rush_seconds) / (base_requests / base_seconds):.2f}"
    )
    submit_p99 = percentile(rush_timings.latencies.get("submit", []), 0.99)
    goal = submissions_per_second >= 100 and submit_p99 < 1.0 and lost == 0 and duplicates == 0
    print(f"goal (≥ 100 submissions/s, p99 < 1 s, nothing lost): {'met' if goal else 'NOT met'}")
    return 0 if lost == 0 and duplicates == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
