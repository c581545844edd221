"""Review and decisions in real Chromium: a blind reviewer scores only what is assigned to them,
an organizer ranks, stages and releases (each person emailed exactly once), an accepted
participant declines and the top of the waitlist is offered the place."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cohortkit.accounts.models import Role
from cohortkit.admissions.models import Application, ApplicationForm, Enrollment
from cohortkit.admissions.selectors.reviewing import blind_label
from cohortkit.admissions.services.importing import ImportRow, applications_import
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.admissions.services.reviewing import (
    review_assignment_create,
    review_settings_update,
    rubric_category_save,
)
from cohortkit.notifications.models import OutboundEmail
from cohortkit.programs.models import Term
from cohortkit.tests.browser.conftest import log_in, screenshot
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORMS = Path(__file__).resolve().parents[2] / "admissions" / "data" / "ml-safety-forms.yaml"
PASSWORD = "correct horse battery"

# name, email, preferred track, motivation
APPLICANTS = [
    ("Ada Lovelace", "ada.lovelace@example.org", "intro", "I build ML systems and want them safe."),
    ("Ben Okafor", "ben.okafor@example.org", "intro", "Robustness is what I want to work on."),
    ("Cleo Tanaka", "cleo.tanaka@example.org", "intro", "A structured path through the field."),
    ("Dev Patel", "dev.patel@example.org", "advanced", "I read the papers and want discussion."),
    ("Eve Moreau", "eve.moreau@example.org", "advanced", "Monitoring and anomaly detection."),
]


def _answers(track: str, motivation: str) -> dict[str, str]:
    return {
        "student": "no",
        "affiliation": "",
        "deep_learning": "yes",
        "linear_algebra_statistics": "yes",
        "multivariate_calculus": "some",
        "background_level": "-0.5",
        "track": track,
        "mode": "virtual",
        "university": "",
        "us_work_eligibility": "yes",
        "time_zone": "Europe/Paris",
        "availability": "Mon 18:00-20:00; Wed 18:00-20:00",
        "motivation": motivation,
        "commitment": "yes",
    }


@pytest.fixture
def reviewed_term(ml_safety_term: Term, organizer):
    """The ML Safety term with the shipped forms, five submitted applications, blind review, a
    two-category rubric, and a reviewer assigned the first two applications."""
    application_forms_load(term=ml_safety_term, text=FORMS.read_text(encoding="utf-8"))
    form = ApplicationForm.objects.get(term=ml_safety_term, kind="participant")
    people = {
        email: UserFactory(email=email, name=name, time_zone="Europe/Paris")
        for name, email, _, _ in APPLICANTS
    }
    submitted = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    applications_import(
        form=form,
        rows=[
            ImportRow(
                user=people[email],
                raw_answers=_answers(track, motivation),
                submitted_at=submitted + dt.timedelta(minutes=number),
            )
            for number, (_, email, track, motivation) in enumerate(APPLICANTS)
        ],
    )
    review_settings_update(
        form=form,
        blind_review=True,
        reviews_per_application=1,
        confirmation_deadline=None,
        offer_response_days=3,
        actor=organizer,
    )
    for position, (name, max_score) in enumerate([("Preparation", 5), ("Motivation", 5)]):
        rubric_category_save(
            form=form, name=name, weight=1, max_score=max_score, position=position, actor=organizer
        )
    reviewer = UserFactory(
        email="rosa.reviewer@example.org", name="Rosa Reviewer", time_zone="Europe/Paris"
    )
    MembershipFactory(term=ml_safety_term, user=reviewer, role=Role.REVIEWER)
    applications = {
        application.applicant.email: application
        for application in Application.objects.filter(form=form).select_related("applicant")
    }
    for email in ("ada.lovelace@example.org", "ben.okafor@example.org"):
        review_assignment_create(
            application=applications[email], reviewer=reviewer, actor=organizer
        )
    return ml_safety_term, reviewer, applications


def _hides_every_applicant(page: Page) -> None:
    text = page.locator("main").inner_text() if page.locator("main").count() else ""
    text = text or page.locator("body").inner_text()
    for name, email, _, _ in APPLICANTS:
        assert name not in text and name.split()[1] not in text, name
        assert email not in text and email.split("@")[0] not in text, email


def _stage(page: Page, application: Application, choice: str, rank: str = "") -> None:
    row = page.locator(f"#row-{application.pk}")
    row.locator("select").select_option(choice)
    row.get_by_label("Waitlist rank").fill(rank)
    row.get_by_role("button", name="Stage").click()
    expect(page.locator(f"#row-{application.pk}")).to_contain_text("staged:")


def test_blind_review_ranking_release_decline_and_the_waitlist(
    live_server, new_page, reviewed_term, organizer
):
    term, reviewer, applications = reviewed_term
    ada = applications["ada.lovelace@example.org"]
    ben = applications["ben.okafor@example.org"]
    cleo = applications["cleo.tanaka@example.org"]
    dev = applications["dev.patel@example.org"]
    eve = applications["eve.moreau@example.org"]

    # The reviewer: two assignments, no names or emails anywhere.
    page = new_page(timezone_id="Europe/Paris")
    log_in(page, live_server.url, email=reviewer.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/review/")
    expect(page.locator("tr.assignment")).to_have_count(2)
    expect(page.get_by_text("2 of 2 left to review.")).to_be_visible()
    _hides_every_applicant(page)

    page.get_by_role("link", name=blind_label(ada.pk)).click()
    expect(page.get_by_role("heading", name=blind_label(ada.pk))).to_be_visible()
    expect(page.get_by_text("Blind review: names and email addresses are hidden.")).to_be_visible()
    expect(page.get_by_text("I build ML systems and want them safe.")).to_be_visible()
    _hides_every_applicant(page)
    page.get_by_label("Preparation").select_option("4")
    page.get_by_label("Motivation").select_option("5")
    page.get_by_label("Comment for the organizers").fill("Clear motivation, ready for the course.")
    screenshot(page, "review-blind")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Your review is saved.")).to_be_visible()
    expect(page.get_by_text("1 of 2 left to review.")).to_be_visible()
    expect(page.locator("tr.assignment", has_text=blind_label(ada.pk))).to_contain_text("Reviewed")
    review = ada.reviews.get()
    assert (sorted(review.scores.values()), review.reviewer) == ([4, 5], reviewer)

    # Any other application, guessed from the URL, does not exist for this reviewer.
    for other in (cleo, dev, eve):
        response = page.goto(f"{live_server.url}/terms/{term.slug}/review/applications/{other.pk}/")
        assert response is not None and response.status == 404, other.pk
        _hides_every_applicant(page)
    assert not Application.objects.filter(reviews__isnull=False).exclude(pk=ada.pk).exists()

    # The organizer ranks and stages: accept Ada, waitlist Ben (1) and Cleo (2) in the same
    # track, reject Dev; Eve is left undecided.
    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/organize/applications/participant/ranking/")
    first_row = page.locator("tr.ranking-row").first
    expect(first_row).to_contain_text("Ada Lovelace")
    expect(first_row).to_contain_text("90.0")
    expect(page.locator("tr.ranking-row")).to_have_count(5)
    page.get_by_text("Filter by answers").click()
    page.get_by_label("Which track would you like?").select_option("intro")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tr.ranking-row")).to_have_count(3)
    expect(page.locator("table.ranking")).not_to_contain_text("Dev Patel")
    page.get_by_role("link", name="Clear").click()
    expect(page.locator("tr.ranking-row")).to_have_count(5)
    _stage(page, ada, "accept:introductory")
    _stage(page, ben, "waitlist:introductory", "1")
    _stage(page, cleo, "waitlist:introductory", "2")
    _stage(page, dev, "reject:")
    release = page.get_by_test_id("release")
    expect(release).to_have_text("Release 4 staged decisions (4 emails will be sent)")
    screenshot(page, "ranking")
    assert not OutboundEmail.objects.exists()

    release.click()
    page.get_by_role("button", name="Release and email 4 people").click()  # the confirmation
    expect(page.get_by_text("4 decision(s) released; 4 email(s) on their way.")).to_be_visible()
    expect(page.get_by_test_id("release")).to_be_disabled()
    decided = [ada, ben, cleo, dev]
    emails = Counter(OutboundEmail.objects.values_list("to", flat=True))
    assert emails == Counter(application.applicant.email for application in decided)
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()

    # Releasing again (the disabled button's form, sent anyway) tells nobody anything new.
    page.locator("#release-form").evaluate("form => form.submit()")
    expect(page.get_by_text("There were no staged decisions to release.")).to_be_visible()
    assert OutboundEmail.objects.count() == 4

    # Ada declines on her decision page; Ben, first on the track's waitlist, is offered it.
    page = new_page(timezone_id="Europe/Paris")
    log_in(page, live_server.url, email=ada.applicant.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/decision/participant/")
    expect(
        page.get_by_role("heading", name="You are offered a place in the Introductory track")
    ).to_be_visible()
    # One click is not enough: the browser asks for the tick first (no script involved).
    page.get_by_role("button", name="Decline").click()
    assert page.get_by_label("Yes, I give up my place").evaluate("box => box.matches(':invalid')")
    expect(
        page.get_by_role("heading", name="You are offered a place in the Introductory track")
    ).to_be_visible()
    assert Enrollment.objects.get(user=ada.applicant, term=term).status == "offered"
    page.get_by_label("Yes, I give up my place").check()
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("heading", name="You declined your place")).to_be_visible()

    offered = Enrollment.objects.get(user=ben.applicant, term=term)
    assert (offered.status, offered.track.slug if offered.track else None) == (
        "offered",
        "introductory",
    )
    assert Enrollment.objects.get(user=cleo.applicant, term=term).status == "waitlisted"
    offer_emails = OutboundEmail.objects.filter(
        to=ben.applicant.email, subject__startswith="A place opened"
    )
    assert offer_emails.count() == 1
    assert OutboundEmail.objects.filter(to=ada.applicant.email).count() == 1  # the decision only
    assert (
        not OutboundEmail.objects.filter(to=cleo.applicant.email)
        .exclude(subject__startswith="You are on the waitlist")
        .exists()
    )

    page = new_page(timezone_id="Europe/Paris")
    log_in(page, live_server.url, email=ben.applicant.email, password=PASSWORD)
    page.goto(f"{live_server.url}/terms/{term.slug}/decision/participant/")
    expect(
        page.get_by_role("heading", name="You are offered a place in the Introductory track")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my place")).to_be_visible()
