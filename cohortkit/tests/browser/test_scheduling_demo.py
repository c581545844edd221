"""Scheduling the demo's open term in real Chromium: 320 applicants across real time zones.

The organizer starts a run and watches its progress while a worker solves; moves a participant
into another section (accepted, because the validator finds the result valid), tries a move
that breaks a rule (refused, nothing saved), publishes; a participant sees their section at
their own local time, and everyone placed got exactly one email with an .ics invitation.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from cohortkit.accounts.models import User
from cohortkit.programs.models import Term
from cohortkit.scheduling.models import RunStatus, ScheduleRun
from cohortkit.scheduling.services.runs import schedule_run_execute
from cohortkit.scheduling.solver import parse_instance, parse_solution, validate_solution
from cohortkit.sections.models import SectionMembership
from cohortkit.tests.browser.conftest import expected_instant, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
RECORDED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _worker(run_id: int) -> None:
    try:
        schedule_run_execute(run_id=run_id)
    finally:
        connection.close()


def _moves(run: ScheduleRun) -> tuple[tuple[str, int], tuple[str, int]]:
    """One move the validator accepts and one it refuses, found the way the page checks them."""
    instance = parse_instance(run.instance)
    solution = parse_solution(run.solution)
    good = bad = None
    for source_index, source in enumerate(solution.sections):
        if len(source.participants) <= instance.section_min:
            continue
        for person in source.participants:
            for target_index in range(len(solution.sections)):
                if target_index == source_index:
                    continue
                moved = [
                    replace(s, participants=tuple(p for p in s.participants if p != person))
                    for s in solution.sections
                ]
                moved[target_index] = replace(
                    moved[target_index], participants=(*moved[target_index].participants, person)
                )
                valid = not validate_solution(instance, replace(solution, sections=tuple(moved)))
                if valid and good is None:
                    good = (person, target_index)
                if not valid and bad is None:
                    bad = (person, target_index)
                if good and bad:
                    return good, bad
    raise AssertionError("the demo's solution offers no valid and no invalid move")


def test_organizer_schedules_the_demo_term(live_server, new_page, settings):
    call_command("demo", verbosity=0)
    term = Term.objects.exclude(slug__endswith="-running").exclude(slug="ml-safety-fall-2022").get()
    settings.TASKS = RECORDED

    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email="organizer@example.org", password="demo")
    page.goto(f"{live_server.url}/terms/{term.slug}/organize/sections/")
    page.get_by_label("Time limit (seconds)").first.fill("5")
    page.get_by_test_id("run-start").click()
    expect(page.get_by_test_id("run-status")).to_have_text("Queued")

    run = ScheduleRun.objects.get(term=term)
    worker = threading.Thread(target=_worker, args=(run.pk,))
    worker.start()
    worker.join()  # the run has its own time limit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    expect(page.get_by_test_id("placed-summary")).to_contain_text("placed")
    settings.TASKS = IMMEDIATE

    (mover, target), (refused, refused_target) = _moves(run)
    page.goto(f"{live_server.url}/terms/{term.slug}/organize/sections/")
    move_form = page.get_by_test_id("move-form")
    move_form.get_by_label("Participant").select_option(mover)
    move_form.get_by_test_id("move-choose").click()
    options = page.get_by_test_id("move-options")
    options.locator(f'input[name="to_section"][value="{target}"]').check()
    options.get_by_test_id("move-submit").click()
    expect(page.get_by_text("Change saved; the solution is still valid.")).to_be_visible()
    run.refresh_from_db()
    saved = run.solution
    assert saved is not None
    assert mover in saved["sections"][target]["participants"]
    # A move the validator refuses is not offered; the page says why instead.
    move_form = page.get_by_test_id("move-form")
    move_form.get_by_label("Participant").select_option(refused)
    move_form.get_by_test_id("move-choose").click()
    expect(page.get_by_test_id("move-refused")).to_contain_text("would not accept")
    expect(page.locator(f'input[name="to_section"][value="{refused_target}"]')).to_have_count(0)
    run.refresh_from_db()
    assert run.solution == saved

    mail.outbox.clear()  # the demo's own loading sent emails of the running term
    page.goto(f"{live_server.url}/terms/{term.slug}/organize/sections/")
    # The demo's open term has applications, no decisions yet: its people hold no role.
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("new-members")).to_contain_text("are not yet accepted")
    expect(page.get_by_test_id("publish-count")).to_contain_text("will be emailed")
    page.get_by_test_id("grant-roles").check()
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_text("Published:")).to_be_visible()
    # One email per person per section (a facilitator of two sections gets one for each).
    expected = sum(1 + len(section["participants"]) for section in saved["sections"])
    people = {
        p
        for section in saved["sections"]
        for p in (section["facilitator"], *section["participants"])
    }
    assert len(mail.outbox) == expected
    assert len({(message.to[0], message.subject) for message in mail.outbox}) == expected
    assert len({message.to[0] for message in mail.outbox}) == len(people)
    assert all("BEGIN:VCALENDAR" in message.body for message in mail.outbox)

    # The moved participant sees their section at their own local time.
    person = User.objects.get(pk=run.people[mover])
    person.set_password("a participant's password")
    person.save()
    membership = SectionMembership.objects.select_related("section").get(
        user=person, section__term=term
    )
    first = membership.section.meetings.get(week=1)
    member_page = new_page(timezone_id=person.time_zone)
    log_in(member_page, live_server.url, email=person.email, password="a participant's password")
    member_page.goto(f"{live_server.url}/terms/{term.slug}/my-section/")
    expect(member_page.get_by_test_id("my-section")).to_contain_text(
        expected_instant(first.starts_at, person.time_zone)
    )
