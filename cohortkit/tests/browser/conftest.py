"""Real Chromium through Playwright against pytest-django's live server.

Chromium is Debian's (``/usr/bin/chromium``): Playwright cannot download its own browser here. A
missing browser fails the run loudly instead of skipping, so a green suite always means the pages
were really driven.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect, sync_playwright

from cohortkit.accounts.models import Role
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.programs.models import Assignment, Program, Term
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    LectureFactory,
    MembershipFactory,
    ProgramFactory,
    ReadingFactory,
    TermFactory,
    TrackFactory,
    UserFactory,
    WeekFactory,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# How long a page action or expectation may wait for its condition. Generous on purpose: CI runs
# on a busy 2-core machine where a page can take many seconds; a correct page meets the condition
# long before, and only a broken one ever waits this long.
PATIENCE_MS = 90_000
expect.set_options(timeout=PATIENCE_MS)
ORGANIZER_PASSWORD = "correct horse battery"


def expected_instant(instant: dt.datetime, zone_name: str) -> str:
    """How the page must show an instant, worked out here with zoneinfo alone.

    ``Thu, 22 Sep 2022, 02:59 UTC−04:00``: weekday, day, month, year, 24-hour time and the
    offset with a real minus sign.
    """
    local = instant.astimezone(ZoneInfo(zone_name))
    offset_minutes = int(local.utcoffset().total_seconds()) // 60
    sign = "+" if offset_minutes >= 0 else "\u2212"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{local.strftime('%a, %d %b %Y, %H:%M')} UTC{sign}{hours:02d}:{minutes:02d}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module.

    Playwright's sync API runs an event loop in this thread, so Django would refuse the plain
    synchronous ORM calls the tests make between page actions: DJANGO_ALLOW_ASYNC_UNSAFE allows
    them while the browser is up, and only then, since a subprocess started by a later test (the
    deploy check) would inherit it and fail.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `apt-get install chromium` (CI's .ci/run installs it). "
            "Browser tests never skip.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (own cookies, own time zone and screen size).

    A stylesheet or script the server fails to deliver fails the test: a page without them is not
    the page a person sees (no layout, no time zone detection).
    """
    contexts: list[BrowserContext] = []
    broken: list[str] = []

    def record(response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            broken.append(f"{response.status} {response.url}")

    def make(*, timezone_id: str = "Europe/London", viewport: dict | None = None) -> Page:
        context = browser.new_context(
            timezone_id=timezone_id, viewport=viewport or DESKTOP, locale="en-US"
        )
        context.set_default_timeout(PATIENCE_MS)
        context.on("response", record)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    if broken:
        pytest.fail("static files not served: " + ", ".join(sorted(set(broken))), pytrace=False)


def open_as_visitor(page: Page, url: str) -> None:
    """Open a page the way a first-time visitor does: the script reports the browser's zone and
    the page reloads once in it; wait until the server shows the reported zone."""
    page.goto(url)
    page.wait_for_selector('body[data-time-zone-known="true"]')
    page.wait_for_load_state("load")


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save the README's pictures when asked (``make screenshots``), so an ordinary test run
    leaves the committed images alone; the page is rendered to an image either way."""
    path = SCREENSHOTS / f"{name}.png"
    image = page.screenshot(full_page=full_page)
    if os.environ.get("COHORTKIT_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image)
    return path


def _season(day: dt.date) -> str:
    return {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring"}.get(
        day.month, "Summer" if day.month in (6, 7, 8) else "Fall"
    )


CURRICULUM = [
    (
        "Background",
        "Why ML safety matters, and the deep learning you will need for the rest of the course.",
        [("Introduction", 25), ("Deep Learning Review", 50)],
        [
            ("Unsolved Problems in ML Safety", "https://arxiv.org/abs/2109.13916", 60, True),
            (
                "Deep Residual Learning for Image Recognition",
                "https://arxiv.org/abs/1512.03385",
                30,
                False,
            ),
            ("Attention Is All You Need", "https://arxiv.org/abs/1706.03762", 40, False),
        ],
        "Which unsolved problem worries you most, and why?",
    ),
    (
        "Safety engineering",
        "How engineers think about risk, accidents and rare catastrophic events.",
        [("Risk Decomposition", 30), ("Accident Models", 35), ("Black Swans", 30)],
        [
            (
                "Benchmarking Neural Network Robustness to Common Corruptions",
                "https://arxiv.org/abs/1903.12261",
                45,
                True,
            ),
        ],
        "Describe an accident model and apply it to an ML system you know.",
    ),
    (
        "Robustness",
        "Adversarial examples, distribution shift and how models fail under them.",
        [("Adversarial Robustness", 45), ("Black Swan Robustness", 30)],
        [
            (
                "Towards Deep Learning Models Resistant to Adversarial Attacks",
                "https://arxiv.org/abs/1706.06083",
                50,
                True,
            ),
            ("The Many Faces of Robustness", "https://arxiv.org/abs/2006.16241", 40, False),
        ],
        "Design an evaluation for a model's robustness to a shift you expect in deployment.",
    ),
]


def build_ml_safety_term(*, slug: str = "spring", days_to_deadline: int = 120) -> Term:
    """A published term of Introduction to ML Safety open for applications, with two tracks and
    the first three weeks of curriculum, as a newcomer would see it on the program page."""
    program: Program = ProgramFactory(
        description=(
            "Introduction to ML Safety is a virtual course for people who want to work on making "
            "machine learning systems safe. Each week you watch lectures, read papers, write a "
            "short assignment and discuss it in a small section led by a facilitator."
        ),
        prerequisites=[
            "Deep learning",
            "Linear algebra or introductory statistics",
            "Multivariate differential calculus",
        ],
        prerequisites_note=(
            "Not sure you meet them? Apply anyway. Students and non-students are welcome."
        ),
    )
    today = dt.datetime.now(dt.UTC).date()
    starts_on = today + dt.timedelta(days=days_to_deadline + 5)
    # A Monday start, as real terms have.
    starts_on += dt.timedelta(days=(7 - starts_on.weekday()) % 7)
    ends_on = starts_on + dt.timedelta(weeks=8) - dt.timedelta(days=3)
    zone = "America/Los_Angeles"
    term: Term = TermFactory(
        program=program,
        slug=slug,
        name=f"{_season(starts_on)} {starts_on.year}",
        time_zone=zone,
        deadline_time_zone=zone,
        starts_on=starts_on,
        ends_on=ends_on,
        participant_deadline=wall_clock_to_instant(
            today + dt.timedelta(days=days_to_deadline), dt.time(23, 59), zone
        ),
        facilitator_deadline=wall_clock_to_instant(
            today + dt.timedelta(days=days_to_deadline - 3), dt.time(23, 59), zone
        ),
        section_size_min=4,
        section_size_max=8,
        meeting_minutes=60,
        in_person_note=(
            "Where a local university hosts a section, you can meet in person instead."
        ),
        stipend_eligibility="Participants eligible to work in the US receive the stipend.",
        completion_min_meetings=7,
        completion_min_assignments=7,
        completion_note="Complete the course by attending 7 of 8 meetings and 7 assignments.",
        facilitator_prep_hours_note="for about 1 hour of discussion and 1–3 hours of preparation",
    )
    introductory = TrackFactory(
        term=term,
        slug="introductory",
        name="Introductory",
        audience="For people new to ML safety who know the basics of deep learning.",
        position=0,
    )
    advanced = TrackFactory(
        term=term,
        slug="advanced",
        name="Advanced",
        audience="For people who have done research in ML and want to go deeper into the papers.",
        position=1,
    )
    both = [introductory, advanced]
    for number, (title, summary, lectures, readings, prompt) in enumerate(CURRICULUM, start=1):
        week = WeekFactory(term=term, number=number, title=title, summary=summary)
        for position, (lecture_title, minutes) in enumerate(lectures):
            lecture = LectureFactory(
                week=week, title=lecture_title, minutes=minutes, position=position
            )
            lecture.tracks.set(both)
        for position, (reading_title, url, minutes, required) in enumerate(readings):
            reading = ReadingFactory(
                week=week,
                title=reading_title,
                url=url,
                minutes=minutes,
                required=required,
                position=position,
            )
            reading.tracks.set(both if required else [advanced])
        assignment = Assignment.objects.create(
            week=week, title=f"Week {number} reflection", prompt=prompt, minutes=60
        )
        assignment.tracks.set(both)
    ApplicationFormFactory(term=term, kind="participant", title="Participant application")
    ApplicationFormFactory(term=term, kind="facilitator", title="Facilitator application")
    return term


@pytest.fixture
def ml_safety_term(transactional_db) -> Term:
    return build_ml_safety_term()


@pytest.fixture
def organizer(ml_safety_term):
    user = UserFactory(
        email="organizer@example.org", name="Dana Organizer", time_zone="America/Los_Angeles"
    )
    MembershipFactory(term=ml_safety_term, user=user, role=Role.ORGANIZER)
    return user


def settled(page: Page) -> Page:
    """Wait until the page's lazily loaded parts (htmx ``hx-trigger="load"``, such as the progress
    panel of the week page) have arrived: each pushes the content below it down, and a click
    aimed while one lands hits whatever moved under the pointer (seen on a loaded machine)."""
    expect(page.locator('[hx-trigger="load"]')).to_have_count(0)
    return page


def log_in(page: Page, base_url: str, *, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
