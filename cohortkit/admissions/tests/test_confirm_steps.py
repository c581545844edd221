"""Withdraw, decline and "I have a conflict" cannot be undone, so one click is not enough: the
page asks for a tick (a required box, no script), and the server refuses a POST without it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.admissions.models import Application, Enrollment, ReviewAssignment, ReviewerConflict
from cohortkit.admissions.services.applying import application_submit
from cohortkit.admissions.services.reviewing import review_assignment_create
from cohortkit.admissions.tests import test_decisions
from cohortkit.admissions.tests.factories import (
    RubricCategoryFactory,
    SubmittedApplicationFactory,
)
from cohortkit.tests.factories import ApplicationFormFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db

# The decision tests' fixtures: a form with a confirmation deadline, two tracks, an open offer.
form = test_decisions.form
intro = test_decisions.intro
advanced = test_decisions.advanced
offered_and_waitlist = test_decisions.offered_and_waitlist


def test_withdraw_asks_for_a_tick_and_refuses_without_it(client):
    now = timezone.now()
    term = TermFactory(
        slug="open",
        starts_on=(now + dt.timedelta(days=60)).date(),
        ends_on=(now + dt.timedelta(days=120)).date(),
        participant_deadline=now + dt.timedelta(days=30),
        facilitator_deadline=now + dt.timedelta(days=30),
    )
    application_form = ApplicationFormFactory(term=term)
    person = UserFactory()
    application_submit(form=application_form, user=person, raw_answers={})
    client.force_login(person)
    url = reverse("admissions:apply_withdraw", args=[term.slug, "participant"])

    page = client.get(reverse("admissions:apply", args=[term.slug, "participant"]))
    one_click = client.post(url)
    ticked = client.post(url, {"confirm": "yes"}, follow=True)

    html = page.content.decode()
    assert 'name="confirm" value="yes" required> Yes, withdraw my application' in html
    assert one_click.status_code == 400
    assert "Nothing was withdrawn: tick" in one_click.content.decode()
    assert "Your application is withdrawn." in ticked.content.decode()
    assert Application.objects.get(applicant=person).status == "withdrawn"


def test_declining_asks_for_a_tick_and_refuses_without_it(client, term, form, offered_and_waitlist):
    enrollment, first = offered_and_waitlist
    client.force_login(enrollment.user)
    url = reverse("admissions:my_decision_respond", args=[term.slug, form.kind])

    page = client.get(reverse("admissions:my_decision", args=[term.slug, form.kind]))
    one_click = client.post(url, {"answer": "decline"}, follow=True)

    html = page.content.decode()
    assert 'name="confirm_decline" value="yes" required> Yes, I give up my place' in html
    assert "Nothing was declined: tick" in one_click.content.decode()
    assert "You are offered a place" in one_click.content.decode()
    assert Enrollment.objects.get(pk=enrollment.pk).status == "offered"
    assert Enrollment.objects.get(user=first).status == "waitlisted"

    client.post(url, {"answer": "decline", "confirm_decline": "yes"})
    assert Enrollment.objects.get(pk=enrollment.pk).status == "declined"


def test_confirming_a_place_stays_one_click(client, term, form, offered_and_waitlist):
    enrollment, _ = offered_and_waitlist
    client.force_login(enrollment.user)

    client.post(
        reverse("admissions:my_decision_respond", args=[term.slug, form.kind]),
        {"answer": "confirm"},
    )

    assert Enrollment.objects.get(pk=enrollment.pk).status == "confirmed"


def test_declaring_a_conflict_asks_for_a_tick_and_refuses_without_it(client_as, term, form, people):
    application = SubmittedApplicationFactory(form=form)
    RubricCategoryFactory(form=form)
    reviewer = people["reviewer"]
    review_assignment_create(application=application, reviewer=reviewer, actor=None)
    client = client_as("reviewer")
    review_url = reverse("admissions:review_application", args=[term.slug, application.pk])
    url = reverse("admissions:review_conflict", args=[term.slug, application.pk])

    page = client.get(review_url).content.decode()
    one_click = client.post(url, follow=True)

    assert 'name="confirm" value="yes" required> I have a conflict of interest' in page
    assert one_click.redirect_chain[-1][0] == review_url
    assert "Nothing was handed back: tick" in one_click.content.decode()
    assert not ReviewerConflict.objects.exists()
    assert ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists()

    client.post(url, {"confirm": "yes"})
    assert ReviewerConflict.objects.filter(reviewer=reviewer).exists()
