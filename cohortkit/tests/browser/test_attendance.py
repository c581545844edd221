"""Attendance in real Chromium: a facilitator marks who came to last week's meeting (an apology
sent beforehand shows as excused), a participant sends an apology for their next meeting from
their section page, and another section's facilitator opening that attendance page gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from cohortkit.accounts.models import Role, User
from cohortkit.programs.models import DiscussionGuide, Track
from cohortkit.sections.models import Apology, Attendance
from cohortkit.sections.tests.weekly import add_section, term_running_now
from cohortkit.tests.browser.conftest import ORGANIZER_PASSWORD, log_in, screenshot
from cohortkit.tests.factories import (
    MembershipFactory,
    TermFactory,
    TrackFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = ORGANIZER_PASSWORD  # every factory user's password


def _row(page: Page, person: User) -> Locator:
    return page.locator(f'[data-testid="attendance-row"][data-email="{person.email}"]')


def test_facilitator_marks_attendance_participant_apologises_other_facilitator_gets_404(
    live_server, new_page
):
    term = TermFactory(slug="fall", name="Fall", section_size_max=8)
    intro: Track = TrackFactory.create(term=term, slug="introductory", name="Introductory")
    lead: User = UserFactory.create(name="Fatima Facilitator", time_zone="America/New_York")
    other_lead: User = UserFactory.create(name="Otto Other", time_zone="Europe/Berlin")
    ana: User = UserFactory.create(name="Ana Participant", time_zone="Asia/Kolkata")
    ben: User = UserFactory.create(name="Ben Participant", time_zone="Europe/London")
    sam: User = UserFactory.create(name="Sam Participant", time_zone="America/Los_Angeles")
    organizer: User = UserFactory.create(name="Dana Organizer")
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    section = add_section(
        term,
        intro,
        name="Introductory 1",
        weekday=0,
        start=dt.time(18, 0),
        lead=lead,
        members=[ana, ben, sam],
    )
    add_section(term, intro, name="Introductory 2", weekday=2, lead=other_lead)
    term_running_now(term, this_week=3)
    week = WeekFactory(term=term, number=3, title="Robustness")
    guide = DiscussionGuide.objects.create(
        week=week,
        title="Discussion: adversarial examples",
        body="Open with: which threat model is realistic for a deployed classifier?",
    )
    guide.tracks.set([intro])
    last_week = section.meetings.get(week=2)
    Apology.objects.create(
        meeting=last_week,
        user=sam,
        reason="Conference travel",
        created_at=last_week.starts_at - dt.timedelta(days=2),
    )
    attendance_url = (
        f"{live_server.url}/terms/{term.slug}/sections/{section.pk}/meetings/2/attendance/"
    )

    # The facilitator finds the roster and the guide, then last week's attendance.
    page = new_page(timezone_id="America/New_York")
    log_in(page, live_server.url, email=lead.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/facilitate/")
    card = page.get_by_test_id("facilitated-section")
    expect(card.get_by_test_id("roster")).to_contain_text("Ana Participant")
    expect(card.get_by_test_id("roster")).to_contain_text("UTC+05:30")  # Ana's own time
    expect(card.get_by_test_id("discussion-guide")).to_contain_text("threat model")
    card.get_by_text("Attendance, every week").click()
    card.get_by_role("link", name="Week 2").click()
    expect(page.get_by_role("heading", name="Introductory 1: week 2")).to_be_visible()
    sam_row = _row(page, sam)
    expect(sam_row.get_by_test_id("apology")).to_contain_text("Conference travel")
    expect(sam_row.get_by_label("Excused")).to_be_checked()
    _row(page, ana).get_by_label("Present").check()
    ben_row = _row(page, ben)
    ben_row.get_by_label("Absent").check()
    ben_row.get_by_label("Note on Ben Participant").fill("No word from Ben")
    page.get_by_test_id("attendance-save").click()
    expect(page.get_by_text("Attendance saved for 3 people.")).to_be_visible()
    assert dict(
        Attendance.objects.filter(meeting=last_week).values_list("user__email", "status")
    ) == {
        ana.email: "present",
        ben.email: "absent",
        sam.email: "excused",
    }
    expect(ben_row.get_by_label("Absent")).to_be_checked()
    screenshot(page, "attendance")

    # Ana sends an apology for her next meeting from her section page.
    upcoming = section.meetings.filter(starts_at__gt=timezone.now()).order_by("week").first()
    assert upcoming is not None
    member_page = new_page(timezone_id="Asia/Kolkata")
    log_in(member_page, live_server.url, email=ana.email, password=PASSWORD)
    member_page.goto(f"{live_server.url}/terms/{term.slug}/my-section/")
    member_page.get_by_test_id("my-section").get_by_text("Can't come?").first.click()
    form = member_page.get_by_test_id(f"apology-form-{upcoming.week}")
    form.get_by_label("Reason").fill("Family wedding")
    form.get_by_role("button", name=f"Send apology for week {upcoming.week}").click()
    expect(member_page.get_by_text(f"Apology sent for week {upcoming.week}")).to_be_visible()
    expect(member_page.get_by_test_id("apology-sent")).to_have_count(1)
    assert Apology.objects.get(user=ana).meeting == upcoming

    # The facilitator sees it, already excused; the other section's facilitator gets 404.
    page.goto(attendance_url.replace("/meetings/2/", f"/meetings/{upcoming.week}/"))
    ana_row = _row(page, ana)
    expect(ana_row.get_by_test_id("apology")).to_contain_text("Family wedding")
    expect(ana_row.get_by_label("Excused")).to_be_checked()

    other_page = new_page(timezone_id="Europe/Berlin")
    log_in(other_page, live_server.url, email=other_lead.email, password=PASSWORD)
    response = other_page.goto(attendance_url)
    assert response is not None and response.status == 404
    expect(other_page.get_by_text("Ana Participant")).to_have_count(0)
