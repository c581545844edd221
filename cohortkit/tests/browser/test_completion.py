"""Finishing a term in real Chromium: a participant watches their progress change when their
facilitator records attendance; at the end the organizer confirms completions with one
override; the participant chooses the name on the certificate and downloads the PDF; the
verification page, opened signed out, says valid, and revoked after a revoke."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from cohortkit.accounts.models import Role, User
from cohortkit.certificates.models import Certificate
from cohortkit.completion import services
from cohortkit.completion.models import Completion
from cohortkit.completion.tests.helpers import attend
from cohortkit.sections.tests.weekly import add_section, term_running_now
from cohortkit.tests.browser.conftest import ORGANIZER_PASSWORD, log_in, screenshot
from cohortkit.tests.factories import MembershipFactory, TermFactory, TrackFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = ORGANIZER_PASSWORD


def test_progress_confirmation_certificate_and_verification(live_server, new_page):
    # A running term in its third week: Ana was at week 1; week 2 is not recorded yet.
    running = TermFactory(slug="running", name="Running")
    intro = TrackFactory.create(term=running, slug="intro", name="Introductory")
    lead: User = UserFactory.create(name="Fatima Facilitator")
    ana: User = UserFactory.create(name="Ana Participant")
    organizer: User = UserFactory.create(name="Dana Organizer")
    MembershipFactory(term=running, user=organizer, role=Role.ORGANIZER)
    MembershipFactory(term=running, user=ana, role=Role.PARTICIPANT)
    section = add_section(running, intro, name="Intro 1", weekday=0, lead=lead, members=[ana])
    term_running_now(running, this_week=3)
    services.completion_rule_set(
        term=running, actor=organizer, values={"min_meetings": 7, "min_assignments": 0}
    )
    attend(section, ana, ["present"])

    page = new_page()
    log_in(page, live_server.url, email=ana.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{running.slug}/week/3/")
    expect(page.get_by_test_id("progress")).to_contain_text("You attended 1 of")
    expect(page.get_by_test_id("progress")).to_contain_text("to complete you need 7 of 8")

    lead_page = new_page()
    log_in(lead_page, live_server.url, email=lead.email, password=PASSWORD)
    lead_page.goto(
        f"{live_server.url}/terms/{running.slug}/sections/{section.pk}/meetings/2/attendance/"
    )
    lead_page.locator(f'[data-email="{ana.email}"]').get_by_label("Present").check()
    lead_page.get_by_test_id("attendance-save").click()
    expect(lead_page.get_by_text("Attendance saved")).to_be_visible()

    page.reload()
    expect(page.get_by_test_id("progress")).to_contain_text("You attended 2 of")
    screenshot(page, "completion-progress")

    # A finished term: Pat met the rule, Quinn missed three meetings.
    finished = TermFactory(slug="finished", name="Fall 2022")
    track = TrackFactory.create(term=finished, slug="intro", name="Introductory")
    pat: User = UserFactory.create(name="Pat Participant")
    quinn: User = UserFactory.create(name="Quinn Participant")
    MembershipFactory(term=finished, user=organizer, role=Role.ORGANIZER)
    for person in (pat, quinn):
        MembershipFactory(term=finished, user=person, role=Role.PARTICIPANT)
    done = add_section(finished, track, name="Intro A", weekday=0, lead=lead, members=[pat, quinn])
    services.completion_rule_set(
        term=finished, actor=organizer, values={"min_meetings": 7, "min_assignments": 0}
    )
    attend(done, pat, ["present"] * 8)
    attend(done, quinn, ["present"] * 5 + ["absent"] * 3)

    organizer_page = new_page()
    log_in(organizer_page, live_server.url, email=organizer.email, password=PASSWORD)
    organizer_page.goto(f"{live_server.url}/terms/{finished.slug}/organize/completion/")
    quinn_row = organizer_page.locator(
        f'[data-testid="completion-row"][data-email="{quinn.email}"]'
    )
    expect(quinn_row.get_by_test_id("verdict")).to_have_text("Does not complete")
    quinn_row.get_by_text("Override").click()
    quinn_row.get_by_label("Outcome").select_option("completes")
    quinn_row.get_by_label("Reason").fill("Three meetings missed in hospital; made up in writing.")
    quinn_row.get_by_role("button", name="Save").click()
    expect(quinn_row.get_by_test_id("override")).to_contain_text("Override: completes")
    organizer_page.get_by_test_id("confirm").click()
    expect(organizer_page.get_by_text("Confirmed 2: 2 completed.")).to_be_visible()
    screenshot(organizer_page, "completion-confirmed")
    assert sorted(
        Completion.objects.filter(term=finished).values_list("completed", "overridden")
    ) == [
        (True, False),
        (True, True),
    ]

    # Pat chooses the name printed on the certificate, then downloads the PDF.
    pat_page = new_page()
    log_in(pat_page, live_server.url, email=pat.email, password=PASSWORD)
    pat_page.goto(f"{live_server.url}/terms/{finished.slug}/")
    pat_page.get_by_test_id("certificate-link").click()
    name = pat_page.get_by_label("The name printed on your certificate")
    expect(name).to_have_value("Pat Participant")
    name.fill("Patricia Q. Participant")
    pat_page.get_by_role("button", name="Issue my certificate").click()
    expect(pat_page.get_by_text("Your certificate is issued.")).to_be_visible()
    expect(pat_page.get_by_test_id("linkedin")).to_have_attribute(
        "href", re.compile(r"^https://www\.linkedin\.com/profile/add\?startTask=CERTIFICATION_NAME")
    )
    with pat_page.expect_download() as download_info:
        pat_page.get_by_test_id("download-pdf").click()
    pdf = PdfReader(download_info.value.path())
    assert "Patricia Q. Participant" in pdf.pages[0].extract_text()
    certificate = Certificate.objects.get(user=pat)

    # Signed out, the verification page says valid; after a revoke, revoked.
    visitor = new_page(viewport={"width": 390, "height": 844})
    url = f"{live_server.url}/certificates/{certificate.public_id}/"
    visitor.goto(url)
    expect(visitor.get_by_test_id("certificate-status")).to_contain_text("Valid")
    expect(visitor.get_by_test_id("holder-name")).to_have_text("Patricia Q. Participant")
    screenshot(visitor, "certificate-phone")

    organizer_page.goto(f"{live_server.url}/terms/{finished.slug}/organize/certificates/")
    row = organizer_page.get_by_test_id("certificate-row").filter(has_text="Patricia")
    row.get_by_label("Reason").fill("Issued to the wrong term.")
    row.get_by_role("button", name="Revoke").click()
    expect(organizer_page.get_by_text("The certificate is revoked")).to_be_visible()

    visitor.goto(url)
    expect(visitor.get_by_test_id("certificate-status")).to_contain_text("Revoked on")
    expect(visitor.get_by_test_id("certificate-status")).to_contain_text(
        "Issued to the wrong term."
    )
    response = visitor.request.get(f"{live_server.url}/certificates/{certificate.public_id}.pdf")
    assert response.status == 410
    assert dt.date.today() >= certificate.issued_on
