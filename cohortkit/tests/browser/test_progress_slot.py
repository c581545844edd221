"""The week page's progress panel arrives after the page (htmx) without moving what is below
it: its slot keeps the room, at desktop and at phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Route, expect

from cohortkit.accounts.models import Role
from cohortkit.completion import services
from cohortkit.completion.tests.helpers import attend
from cohortkit.sections.tests.weekly import add_section, term_running_now
from cohortkit.tests.browser.conftest import DESKTOP, ORGANIZER_PASSWORD, PHONE, log_in, screenshot
from cohortkit.tests.factories import MembershipFactory, TermFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_progress_panel_lands_without_moving_the_page(live_server, new_page, viewport, name):
    running = TermFactory(slug="running", name="Running")
    intro = TrackFactory.create(term=running, slug="intro", name="Introductory")
    ana = UserFactory.create(name="Ana Participant")
    organizer = UserFactory.create(name="Dana Organizer")
    MembershipFactory(term=running, user=organizer, role=Role.ORGANIZER)
    MembershipFactory(term=running, user=ana, role=Role.PARTICIPANT)
    lead = UserFactory.create(name="Fatima Facilitator")
    section = add_section(running, intro, name="Intro 1", weekday=0, lead=lead, members=[ana])
    term_running_now(running, this_week=3)
    services.completion_rule_set(
        term=running,
        actor=organizer,
        values={"min_meetings": 7, "min_assignments": 2, "feedback_required": True},
    )
    attend(section, ana, ["present"])
    page = new_page(viewport=viewport)
    log_in(page, live_server.url, email=ana.email, password=ORGANIZER_PASSWORD)
    held: list[Route] = []
    page.route("**/progress/", lambda route: held.append(route))

    page.goto(f"{live_server.url}/terms/{running.slug}/week/3/")
    page.wait_for_function("() => document.querySelector('.completion-progress-slot') !== null")
    page.wait_for_load_state("load")
    below = page.get_by_test_id("meeting")
    before = below.bounding_box()
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    expect(page.get_by_test_id("progress")).to_contain_text("You attended 1 of")
    after = below.bounding_box()

    assert before is not None and after is not None
    assert after["y"] == before["y"]
    screenshot(page, f"progress-slot-{name}")
