"""Decisions: staging, release (each person emailed once), confirming, declining, lapsing, the
waitlist and carrying it over to the next term."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from cohortkit.accounts.models import Membership, Role
from cohortkit.admissions.models import Decision, Enrollment
from cohortkit.admissions.selectors.deciding import decisions_pending_release
from cohortkit.admissions.services.confirming import (
    enrollment_confirm,
    enrollment_decline,
    enrollments_lapse,
)
from cohortkit.admissions.services.deciding import decision_stage, decisions_release
from cohortkit.admissions.tests.factories import SubmittedApplicationFactory
from cohortkit.common.errors import ServiceError
from cohortkit.tests.factories import ApplicationFormFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

# Decisions are staged now (the real clock) and released later, in the future's terms.
RELEASE = dt.datetime(2099, 9, 23, 17, 0, tzinfo=dt.UTC)
CONFIRM_BY = dt.datetime(2099, 9, 25, 6, 59, tzinfo=dt.UTC)


@pytest.fixture
def form(term):
    return ApplicationFormFactory(term=term, confirmation_deadline=CONFIRM_BY)


@pytest.fixture
def intro(term):
    return TrackFactory(term=term, slug="intro", name="Introductory")


@pytest.fixture
def advanced(term):
    return TrackFactory(term=term, slug="advanced", name="Advanced")


def _application(form, email):
    return SubmittedApplicationFactory(form=form, applicant=UserFactory(email=email))


def _recipients():
    return sorted(message.to[0] for message in mail.outbox)


def test_staging_validates_outcome_track_and_rank(form, intro, other_term):
    application = _application(form, "ada@example.org")
    foreign_track = TrackFactory(term=other_term)

    with pytest.raises(ServiceError, match="track"):
        decision_stage(application=application, outcome="accept", actor=None)
    with pytest.raises(ServiceError, match="another term"):
        decision_stage(application=application, outcome="accept", track=foreign_track, actor=None)
    with pytest.raises(ServiceError, match="rank"):
        decision_stage(application=application, outcome="waitlist", actor=None)
    assert not Decision.objects.exists()

    decision = decision_stage(
        application=application, outcome="reject", track=intro, waitlist_rank=3, actor=None
    )

    assert (decision.track, decision.waitlist_rank) == (None, None)


def test_the_database_keeps_rank_for_waitlist_only(form):
    application = _application(form, "ada@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            application=application, outcome="accept", waitlist_rank=1, staged_at=RELEASE
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(application=application, outcome="waitlist", staged_at=RELEASE)


def test_release_emails_each_person_exactly_once_and_again_only_the_new_ones(
    form, intro, django_capture_on_commit_callbacks
):
    accepted = _application(form, "accepted@example.org")
    waitlisted = _application(form, "waitlisted@example.org")
    rejected = _application(form, "rejected@example.org")
    late = _application(form, "late@example.org")
    decision_stage(application=accepted, outcome="accept", track=intro, actor=None)
    decision_stage(
        application=waitlisted, outcome="waitlist", track=intro, waitlist_rank=1, actor=None
    )
    decision_stage(application=rejected, outcome="reject", actor=None)
    assert decisions_pending_release(form=form) == 3

    with django_capture_on_commit_callbacks(execute=True):
        released = decisions_release(form=form, actor=None, now=RELEASE)

    assert released == 3
    assert _recipients() == [
        "accepted@example.org",
        "rejected@example.org",
        "waitlisted@example.org",
    ]
    offer = next(message for message in mail.outbox if message.to == ["accepted@example.org"])
    assert "Introductory" in offer.body and "confirm" in offer.body

    # Releasing again: nothing new to tell. Then one more decision: only that person hears.
    with django_capture_on_commit_callbacks(execute=True):
        assert decisions_release(form=form, actor=None, now=RELEASE) == 0
    decision_stage(application=late, outcome="reject", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert decisions_release(form=form, actor=None, now=RELEASE) == 1

    assert len(mail.outbox) == 4
    assert _recipients().count("late@example.org") == 1
    enrollment = Enrollment.objects.get(user=accepted.applicant)
    assert (enrollment.status, enrollment.confirm_by, enrollment.track) == (
        "offered",
        CONFIRM_BY,
        intro,
    )
    assert Enrollment.objects.get(user=waitlisted.applicant).status == "waitlisted"
    assert not Enrollment.objects.filter(user=rejected.applicant).exists()


def test_a_released_decision_cannot_be_restaged(form, intro):
    application = _application(form, "ada@example.org")
    decision_stage(application=application, outcome="reject", actor=None)
    decisions_release(form=form, actor=None, now=RELEASE)

    with pytest.raises(ServiceError, match="already released"):
        decision_stage(application=application, outcome="accept", track=intro, actor=None)
    assert Decision.objects.get().outcome == "reject"


@pytest.fixture
def offered_and_waitlist(form, intro, advanced):
    """One accepted person in intro, and a waitlist: intro rank 2, intro rank 1, advanced rank 1."""
    accepted = _application(form, "accepted@example.org")
    second = _application(form, "second@example.org")
    first = _application(form, "first@example.org")
    elsewhere = _application(form, "elsewhere@example.org")
    decision_stage(application=accepted, outcome="accept", track=intro, actor=None)
    decision_stage(application=second, outcome="waitlist", track=intro, waitlist_rank=2, actor=None)
    decision_stage(application=first, outcome="waitlist", track=intro, waitlist_rank=1, actor=None)
    decision_stage(
        application=elsewhere, outcome="waitlist", track=advanced, waitlist_rank=1, actor=None
    )
    decisions_release(form=form, actor=None, now=RELEASE)
    mail.outbox.clear()
    return Enrollment.objects.get(user=accepted.applicant), first.applicant


def test_confirming_in_time_gives_the_participant_role(offered_and_waitlist, term):
    enrollment, _ = offered_and_waitlist

    enrollment_confirm(
        enrollment=enrollment, user=enrollment.user, now=CONFIRM_BY - dt.timedelta(seconds=1)
    )

    enrollment.refresh_from_db()
    assert enrollment.status == "confirmed"
    assert Membership.objects.filter(
        term=term, user=enrollment.user, role=Role.PARTICIPANT
    ).exists()


def test_confirming_after_confirm_by_is_refused_and_changes_nothing(offered_and_waitlist, term):
    enrollment, _ = offered_and_waitlist

    with pytest.raises(ServiceError, match="ended"):
        enrollment_confirm(enrollment=enrollment, user=enrollment.user, now=CONFIRM_BY)

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.responded_at) == ("offered", None)
    assert not Membership.objects.filter(term=term, user=enrollment.user).exists()


def test_only_the_person_offered_can_answer(offered_and_waitlist):
    enrollment, someone_else = offered_and_waitlist

    with pytest.raises(ServiceError, match="someone else"):
        enrollment_decline(enrollment=enrollment, user=someone_else, now=RELEASE)


def test_decline_offers_the_place_to_the_top_of_that_tracks_waitlist(
    offered_and_waitlist, intro, django_capture_on_commit_callbacks
):
    enrollment, first = offered_and_waitlist
    moment = RELEASE + dt.timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_decline(enrollment=enrollment, user=enrollment.user, now=moment)

    offered = Enrollment.objects.get(user=first)
    assert (offered.status, offered.track) == ("offered", intro)
    # At least the form's days to answer, and never before the confirmation deadline.
    assert offered.confirm_by == moment + dt.timedelta(days=3)
    assert _recipients() == ["first@example.org"]
    assert Enrollment.objects.get(user__email="second@example.org").status == "waitlisted"
    assert Enrollment.objects.get(user__email="elsewhere@example.org").status == "waitlisted"


def test_a_lapse_offers_the_place_like_a_decline(
    offered_and_waitlist, django_capture_on_commit_callbacks
):
    enrollment, first = offered_and_waitlist

    with django_capture_on_commit_callbacks(execute=True):
        assert enrollments_lapse(now=CONFIRM_BY - dt.timedelta(seconds=1)) == 0
        assert enrollments_lapse(now=CONFIRM_BY) == 1
        assert enrollments_lapse(now=CONFIRM_BY) == 0

    enrollment.refresh_from_db()
    assert enrollment.status == "lapsed"
    assert Enrollment.objects.get(user=first).status == "offered"
    assert _recipients() == ["accepted@example.org", "first@example.org"]


# Pages -------------------------------------------------------------------------------------


def test_participant_declines_on_the_page_and_the_top_waitlisted_is_offered(
    offered_and_waitlist, term, form, client, django_capture_on_commit_callbacks
):
    enrollment, first = offered_and_waitlist
    client.force_login(enrollment.user)
    page = reverse("admissions:my_decision", args=[term.slug, form.kind])

    shown = client.get(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admissions:my_decision_respond", args=[term.slug, form.kind]),
            {"answer": "decline", "confirm_decline": "yes"},
        )

    assert "You are offered a place" in shown.content.decode()
    assert response.status_code == 302
    assert Enrollment.objects.get(pk=enrollment.pk).status == "declined"
    assert Enrollment.objects.get(user=first).status == "offered"
    assert _recipients() == ["first@example.org"]


def test_late_confirmation_on_the_page_is_refused(offered_and_waitlist, term, form, client):
    enrollment, _ = offered_and_waitlist
    passed = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Enrollment.objects.filter(pk=enrollment.pk).update(confirm_by=passed)
    client.force_login(enrollment.user)

    response = client.post(
        reverse("admissions:my_decision_respond", args=[term.slug, form.kind]),
        {"answer": "confirm"},
    )

    assert response.status_code == 403
    assert "ended" in response.content.decode()
    assert Enrollment.objects.get(pk=enrollment.pk).status == "offered"
    assert Enrollment.objects.get(pk=enrollment.pk).responded_at is None


def test_organizer_stages_and_releases_through_the_pages(
    term, form, intro, people, client_as, django_capture_on_commit_callbacks
):
    form.confirmation_deadline = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    form.save()
    application = _application(form, "ada@example.org")
    client = client_as("organizer")
    prefix = f"a{application.pk}"

    staged = client.post(
        reverse("admissions:decision_stage", args=[term.slug, form.kind, application.pk]),
        {f"{prefix}-choice": "accept:intro", "rank": "1"},
        headers={"HX-Request": "true"},
    )
    ranking = client.get(reverse("admissions:ranking", args=[term.slug, form.kind]))
    release = reverse("admissions:decisions_release", args=[term.slug, form.kind])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(release, {"expected": "1"})
    again = client.post(release, {"expected": "0"})

    assert staged.status_code == 200 and "staged: Accept" in staged.content.decode()
    assert 'hx-swap-oob="true"' in staged.content.decode()  # the release count follows
    assert "Release 1 staged decision (1 email will be sent)" in ranking.content.decode()
    assert _recipients() == ["ada@example.org"]
    assert again.status_code == 302 and len(mail.outbox) == 1


def test_lapse_command_lapses_passed_offers(offered_and_waitlist, capsys):
    from django.core.management import call_command

    enrollment, first = offered_and_waitlist
    Enrollment.objects.filter(pk=enrollment.pk).update(
        confirm_by=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )

    call_command("enrollments", "lapse")

    assert "1 offer(s) lapsed" in capsys.readouterr().out
    assert Enrollment.objects.get(pk=enrollment.pk).status == "lapsed"
    assert Enrollment.objects.get(user=first).status == "offered"
