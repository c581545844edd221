"""An organizer forms sections in real Chromium: starts the scheduler, watches its progress while
a worker solves, tries a move the validator refuses, publishes; a participant then sees their
section at their own local time, and everyone got one email."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection
from playwright.sync_api import expect

from cohortkit.accounts.models import Role
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.scheduling.people import participant_id
from cohortkit.scheduling.services.runs import schedule_run_execute
from cohortkit.scheduling.tests.factories import facilitator, participant, scheduling_term
from cohortkit.sections.models import Section
from cohortkit.tests.browser.conftest import ORGANIZER_PASSWORD, log_in, screenshot
from cohortkit.tests.browser.test_accessibility import violations
from cohortkit.tests.factories import MembershipFactory, TermFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# While the organizer starts the run, tasks are only recorded: the test plays the worker.
RECORDED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _worker(run_id: int) -> None:
    try:
        schedule_run_execute(run_id=run_id)
    finally:
        connection.close()


def test_organizer_runs_the_scheduler_edits_and_publishes(live_server, new_page, settings):
    term = scheduling_term(TermFactory(slug="fall-2022", name="Fall 2022"), section_min=2)
    organizer = UserFactory(time_zone="America/Los_Angeles", name="Dana Organizer")
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    facilitator(term, "America/New_York", "Mon 18:00-19:00")
    facilitator(term, "America/New_York", "Tue 18:00-19:00")
    monday = [participant(term, "America/New_York", "Mon 18:00-19:00") for _ in range(2)]
    kolkata = participant(term, "Asia/Kolkata", "Tue 03:30-04:30")  # Monday 18:00 in New York
    for _ in range(2):
        participant(term, "Europe/London", "Tue 23:00-24:00")
    MembershipFactory(term=term, user=kolkata, role=Role.PARTICIPANT)
    settings.TASKS = RECORDED

    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/organize/sections/")
    page.get_by_label("Time limit (seconds)").first.fill("3")
    page.get_by_test_id("run-start").click()

    # The run waits for a worker; the page polls its progress.
    expect(page.get_by_test_id("run-status")).to_have_text("Queued")
    expect(page.get_by_test_id("run-source")).to_contain_text("From submitted applications")
    run = ScheduleRun.objects.get()
    worker = threading.Thread(target=_worker, args=(run.pk,))
    worker.start()
    worker.join()  # the run has its own time limit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    solution = run.solution
    assert solution is not None
    expect(page.get_by_test_id("placed-summary")).to_contain_text("5 of 5 placed")
    expect(page.get_by_test_id("objective-summary")).to_contain_text("proven bound on it: 5")
    sections = page.get_by_test_id("solved-sections")
    # Monday 18:00 in New York is 15:00 for the organizer in Los Angeles; 03:30 in Kolkata.
    expect(sections).to_contain_text("Mon, 26 Sep 2022, 15:00 UTC−07:00")
    expect(sections).to_contain_text("Tue, 27 Sep 2022, 03:30 UTC+05:30, Asia/Kolkata")
    settings.TASKS = IMMEDIATE

    # A Monday participant cannot go to the Tuesday section: it is not offered, and says why.
    mover = participant_id(monday[0].pk)
    move_form = page.get_by_test_id("move-form")
    move_form.get_by_label("Participant").select_option(mover)
    move_form.get_by_test_id("move-choose").click()
    expect(page.get_by_test_id("move-none")).to_contain_text("No other section would accept")
    expect(page.get_by_test_id("move-refused")).to_contain_text(
        "is not free on Tuesday 18:00 in their zone, America/New York"
    )
    run.refresh_from_db()
    assert run.solution == solution

    page.goto(f"{live_server.url}/terms/{term.slug}/organize/sections/")
    page.get_by_test_id("publish").click()
    # Formed from applications: six of the seven hold no role yet, and the organizer agrees.
    expect(page.get_by_test_id("new-members")).to_contain_text(
        "These 6 people are not yet accepted"
    )
    # The confirmation: how many are emailed, one of the emails, what cannot be undone.
    expect(page.get_by_test_id("publish-count")).to_contain_text("7 people will be emailed")
    expect(page.get_by_test_id("publish-example")).to_contain_text("Your discussion section")
    expect(page.get_by_test_id("publish-undo")).to_contain_text("cannot be recalled")
    assert len(mail.outbox) == 0
    assert violations(page) == []  # axe-core, WCAG 2.1 AA: nothing serious or critical
    screenshot(page, "scheduling-publish-confirm")
    page.get_by_test_id("grant-roles").check()
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_text("Published: 2 new sections")).to_be_visible()
    expect(page.get_by_test_id("published-sections")).to_contain_text("Introductory 2")
    assert Section.objects.filter(term=term).count() == 2
    assert len(mail.outbox) == 7  # five participants, two facilitators
    assert len({message.to[0] for message in mail.outbox}) == 7
    expect(page.get_by_test_id("publish")).to_have_count(0)

    # The participant in Kolkata sees the section at their own time.
    member_page = new_page(timezone_id="Asia/Kolkata")
    log_in(member_page, live_server.url, email=kolkata.email, password=ORGANIZER_PASSWORD)
    member_page.goto(f"{live_server.url}/terms/{term.slug}/my-section/")
    expect(member_page.get_by_test_id("my-section")).to_contain_text(
        "Week 1: Tue, 27 Sep 2022, 03:30 UTC+05:30"
    )
    expect(member_page.get_by_test_id("my-section")).to_contain_text(
        "Week 7: Tue, 08 Nov 2022, 04:30 UTC+05:30"
    )
