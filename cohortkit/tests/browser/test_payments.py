"""Money in real Chromium: a facilitator submits a week's hours, the organizer approves them and
verifies a participant eligible, the completion is confirmed (``stipend_accrue``), a batch is
built (the participant held back until their tax form is recorded), frozen and exported, its
lines are marked paid, and the participant sees "paid" on their term page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohortkit.accounts.models import Role, User
from cohortkit.payments.models import BatchStatus, LineStatus, PayoutBatch
from cohortkit.payments.services.stipends import stipend_accrue
from cohortkit.sections.tests.weekly import add_section, term_running_now
from cohortkit.tests.browser.conftest import ORGANIZER_PASSWORD, log_in, screenshot
from cohortkit.tests.factories import MembershipFactory, TermFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hours_to_payout_file_to_paid(live_server, new_page):
    term = TermFactory(slug="fall", name="Fall")
    track = TrackFactory(term=term, slug="intro", name="Introductory")
    lead: User = UserFactory(name="Fatima Facilitator", email="fatima@example.org")
    pat: User = UserFactory(name="Pat Participant", email="pat@example.org")
    organizer: User = UserFactory(name="Dana Organizer", email="dana@example.org")
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    add_section(term, track, name="Introductory 1", weekday=0, lead=lead, members=[pat])
    term_running_now(term, this_week=2)
    base = live_server.url

    # The facilitator submits week 1: the meeting they led is already there; 1.5 h preparation.
    page = new_page(timezone_id="America/New_York")
    log_in(page, base, email=lead.email, password=ORGANIZER_PASSWORD)
    page.goto(f"{base}/terms/{term.slug}/timesheets/1/")
    expect(page.get_by_test_id("meetings-led")).to_contain_text("Introductory 1")
    page.get_by_label("Preparation (hours)").fill("1.5")
    page.get_by_role("button", name="Submit week 1").click()
    expect(page.get_by_test_id("week-1")).to_contain_text("Submitted")
    screenshot(page, "timesheets")

    # The organizer approves it: 2.5 h at 30.00 = 75.00.
    organizer_page = new_page(timezone_id="America/Los_Angeles")
    log_in(organizer_page, base, email=organizer.email, password=ORGANIZER_PASSWORD)
    organizer_page.goto(f"{base}/terms/{term.slug}/organize/money/timesheets/")
    card = organizer_page.get_by_test_id(f"timesheet-{lead.email}-1")
    expect(card).to_contain_text("2.5 h")
    card.get_by_role("button", name="Approve week 1").click()
    expect(organizer_page.locator(".messages")).to_contain_text("Week 1 approved")

    # Verifies the participant eligible; the completion app confirms their completion.
    organizer_page.goto(f"{base}/terms/{term.slug}/organize/money/eligibility/")
    row = organizer_page.get_by_test_id(f"eligibility-{pat.email}")
    row.get_by_label(f"Eligibility of {pat.email}").select_option("eligible")
    row.get_by_role("button", name="Save").click()
    expect(organizer_page.get_by_test_id(f"eligibility-{pat.email}")).to_contain_text("Eligible")
    assert stipend_accrue(term=term, user=pat, actor=organizer).status == "accrued"

    # Builds a batch: the 1000.00 stipend needs a tax form first; the organizer records it.
    organizer_page.goto(f"{base}/terms/{term.slug}/organize/money/batches/")
    organizer_page.get_by_role("button", name="Build a batch of everyone owed").click()
    pat_line = organizer_page.get_by_test_id(f"line-{pat.email}")
    expect(pat_line).to_contain_text("needs a tax form")
    pat_line.get_by_label(f"Tax form for {timezone.now().year} received on").fill(
        (timezone.now().date() - dt.timedelta(days=1)).isoformat()
    )
    pat_line.get_by_role("button", name="Record tax form").click()
    expect(organizer_page.locator(".messages")).to_contain_text("Tax form recorded")
    organizer_page.get_by_role("button", name="Freeze batch").click()
    expect(organizer_page.get_by_test_id("batch-status")).to_have_text("Frozen")
    expect(organizer_page.get_by_test_id("batch-total")).to_contain_text("1075.00 USD")
    screenshot(organizer_page, "payout-batch")

    # Downloads the generic CSV: columns, keys and amounts as the contract says.
    with organizer_page.expect_download() as download_info:
        organizer_page.get_by_test_id("export-csv").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    batch = PayoutBatch.objects.get(term=term)
    assert rows[0][:5] == ["line_key", "payee_name", "payee_email", "kind", "amount"]
    assert sorted((row[0], row[2], row[4]) for row in rows[1:]) == [
        (f"ck-{batch.pk}-1", lead.email, "75.00"),
        (f"ck-{batch.pk}-2", pat.email, "1000.00"),
    ]

    # Marks both lines paid, by hand.
    organizer_page.reload()
    for person in (lead, pat):
        organizer_page.get_by_test_id(f"line-{person.email}").get_by_role(
            "button", name="Mark paid"
        ).click()
        expect(organizer_page.get_by_test_id(f"line-{person.email}")).to_contain_text("Paid")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED
    assert not batch.lines.exclude(status=LineStatus.PAID).exists()

    # The participant sees "paid on <date>" on their term page, in their own zone.
    participant_page = new_page(timezone_id="Europe/London", viewport={"width": 390, "height": 844})
    log_in(participant_page, base, email=pat.email, password=ORGANIZER_PASSWORD)
    participant_page.goto(f"{base}/terms/{term.slug}/")
    expect(participant_page.get_by_test_id("stipend-line")).to_contain_text("paid on")
    participant_page.get_by_role("link", name="Your stipend").click()
    expect(participant_page.get_by_test_id("stipend-status")).to_contain_text("paid on")
    expect(participant_page.get_by_test_id("stipend-status")).to_contain_text("1000.00 USD")
    screenshot(participant_page, "my-money-phone")
