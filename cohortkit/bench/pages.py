"""``make bench-pages``: the main pages of a 10,000-applicant term, gunicorn on PostgreSQL.

A generated term (bulk inserts, a minute or two): 10,000 participant applicants and 800 facilitator
applicants with the real form's answers, two reviews of every participant application, a released
decision for each, 1,250 sections of eight with a meeting every week, eight weeks of attendance and
homework (submitted, half of it with a facilitator's feedback). Then each main page is requested
one at a time as its real role (the organizer, a reviewer, a facilitator, a participant, a
visitor, and an organizer's API token) and the same number of times a trivial page: p50 and p95
latency, the bytes of the answer, and the number of SQL queries of one request (counted once in
this process with the same database; the timings come from gunicorn).

Run it with ``scripts/with-postgres .venv/bin/python -m cohortkit.bench.pages`` (what the Makefile
target does); it refuses SQLite, which would measure something else. A page slower than
``--page-seconds`` in total is measured fewer times (at least ``--min-requests``).
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import time
from dataclasses import dataclass

from cohortkit.bench.apply import bench_environment_set, free_port, percentile, wait_until_up
from cohortkit.bench.pages_world import GOAL_SECONDS, World, generate


@dataclass
class Page:
    label: str
    path: str
    role: str  # "organizer", "reviewer", "facilitator", "participant", "visitor", "api"


def pages_of(world: World) -> list[Page]:
    base = f"/terms/{world.slug}"
    ranking = f"{base}/organize/applications/participant/ranking/"
    return [
        Page("trivial page (baseline)", "/bench/trivial/", "visitor"),
        Page("ranking, first page", ranking, "organizer"),
        Page("ranking, filtered", f"{ranking}?track=advanced&mode=in_person", "organizer"),
        Page("review list", f"{base}/review/", "reviewer"),
        Page("term overview", f"{base}/organize/overview/", "organizer"),
        Page(
            "term overview, at risk of not completing",
            f"{base}/organize/overview/?completion=at_risk",
            "organizer",
        ),
        Page("organizer home", f"{base}/organize/", "organizer"),
        Page("roster (facilitate)", f"{base}/facilitate/", "facilitator"),
        Page("rosters of all sections", f"{base}/facilitate/", "organizer"),
        Page("week page", f"{base}/week/8/", "participant"),
        Page("program page", f"{base}/", "visitor"),
        Page(
            "API ranking",
            f"/api/v1/terms/{world.slug}/forms/participant/ranking",
            "api",
        ),
    ]


def session_cookies(world: World) -> dict[str, str]:
    """A signed-in session per role, made in the database gunicorn reads."""
    from django.test import Client

    from cohortkit.accounts.models import User

    cookies = {"visitor": "", "api": ""}
    for role, user_id in (
        ("organizer", world.organizer_id),
        ("reviewer", world.reviewer_id),
        ("facilitator", world.facilitator_id),
        ("participant", world.participant_id),
    ):
        client = Client()
        client.force_login(User.objects.get(pk=user_id))
        cookies[role] = f"sessionid={client.cookies['sessionid'].value}"
    return cookies


def headers_for(page: Page, world: World, cookies: dict[str, str]) -> dict[str, str]:
    headers = {"Host": "127.0.0.1"}
    if page.role == "api":
        headers["Authorization"] = f"Bearer {world.api_token}"
    elif cookies[page.role]:
        headers["Cookie"] = cookies[page.role]
    return headers


def query_count(page: Page, world: World, cookies: dict[str, str]) -> tuple[int, int, int]:
    """(status, bytes, SQL queries) of one request made in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers: dict[str, str] = {}
    if page.role == "api":
        headers["Authorization"] = f"Bearer {world.api_token}"
    elif cookies[page.role]:
        client.cookies["sessionid"] = cookies[page.role].split("=", 1)[1]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path, headers=headers)
    return response.status_code, len(response.content), len(queries.captured_queries)


def pages_chosen(pages: list[Page], wanted: str) -> list[Page]:
    """The trivial page and the pages whose label contains one of the wanted words."""
    words = [word.strip() for word in wanted.split(",") if word.strip()]
    if not words:
        return pages
    return [
        page
        for page in pages
        if page.path == "/bench/trivial/" or any(word in page.label for word in words)
    ]


def profile_page(page: Page, world: World, cookies: dict[str, str], top: int = 25) -> None:
    """Print where one in-process request of ``page`` spends its time (cumulative)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    query_count(page, world, cookies)
    profiler.disable()
    print(f"--- profile of {page.label}", flush=True)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


def measure(
    port: int,
    page: Page,
    headers: dict[str, str],
    *,
    requests: int,
    minimum: int,
    budget: float,
    warm: int,
) -> tuple[list[float], int, int]:
    """Sequential requests over one keep-alive connection; (latencies, bytes, failures)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    latencies: list[float] = []
    size = failures = 0
    spent = 0.0
    for number in range(requests + warm):
        started = time.perf_counter()
        connection.request("GET", page.path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        if number < warm:
            continue  # the first requests warm every worker's caches
        latencies.append(seconds)
        size = len(body)
        failures += response.status != 200
        spent += seconds
        if spent > budget and len(latencies) >= minimum:
            break
    connection.close()
    return latencies, size, failures


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--facilitators", type=int, default=800)
    parser.add_argument("--sections", type=int, default=1_250)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--min-requests", type=int, default=3)
    parser.add_argument("--page-seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--pages",
        default="",
        help="measure only the pages whose label contains one of these comma-separated words "
        "(the trivial page is always measured)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print the top of a cProfile of one in-process request per page",
    )
    options = parser.parse_args(argv)
    if not bench_environment_set("bench-pages"):
        return 2
    print(f"generating a term of {options.applicants} applicants …", flush=True)
    world = generate(
        applicants=options.applicants,
        facilitators=options.facilitators,
        sections=options.sections,
        reviewers=options.reviewers,
    )
    cookies = session_cookies(world)
    pages = pages_chosen(pages_of(world), options.pages)
    counted = {page.label: query_count(page, world, cookies) for page in pages}
    if options.profile:
        for page in pages[1:]:
            profile_page(page, world, cookies)

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "cohortkit.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(options.workers),
            "--timeout", "300",
            "--log-level", "warning",
        ],
        env=dict(os.environ),
    )  # fmt: skip
    results = []
    try:
        wait_until_up(port)
        for page in pages:
            latencies, size, failures = measure(
                port,
                page,
                headers_for(page, world, cookies),
                requests=options.requests,
                minimum=options.min_requests,
                budget=options.page_seconds,
                warm=options.workers,
            )
            results.append((page, latencies, size, failures))
            print(f"  measured {page.label} ({len(latencies)} requests)", flush=True)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    print()
    print(
        f"bench-pages: {options.applicants} applicants, {options.facilitators} facilitators, "
        f"{options.sections} sections, 8 weeks; PostgreSQL, gunicorn {options.workers} sync "
        f"workers, {os.cpu_count()} cores, load average {load_average()}"
    )
    print(f"{'page':<26} {'role':<12} {'n':>3} {'p50 ms':>9} {'p95 ms':>9} {'bytes':>10} "
          f"{'queries':>8}  goal")  # fmt: skip
    all_met = True
    for page, latencies, size, failures in results:
        status, _, queries = counted[page.label]
        p95 = percentile(latencies, 0.95)
        met = p95 < GOAL_SECONDS and failures == 0 and status == 200
        all_met &= met or page.path == "/bench/trivial/"
        print(
            f"{page.label:<26} {page.role:<12} {len(latencies):>3} "
            f"{1000 * percentile(latencies, 0.5):>9.1f} {1000 * p95:>9.1f} {size:>10} "
            f"{queries:>8}  {'met' if met else 'NOT met'}"
            + (f" ({failures} failed, status {status})" if failures or status != 200 else "")
        )
    print(
        f"goal (every page's p95 < {1000 * GOAL_SECONDS:.0f} ms): {'met' if all_met else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
