"""Writes of weekly work: ticks, drafts against stale tabs, versions, late marks, feedback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db.models import Exists, OuterRef

from cohortkit.common.errors import NotFoundError, ServiceError
from cohortkit.common.models import AuditEvent
from cohortkit.coursework import services
from cohortkit.coursework.due import due_override_set
from cohortkit.coursework.models import (
    Feedback,
    ItemCompletion,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
)
from cohortkit.coursework.tests.factories import AssignmentFactory
from cohortkit.programs.models import Week
from cohortkit.sections.models import SectionMembership
from cohortkit.tests.factories import LectureFactory, ReadingFactory

pytestmark = pytest.mark.django_db

# Week 3 of Fall 2022 starts Mon 10 Oct; due six days later, at the end of Sun 16 Oct in Los
# Angeles (PDT): 07:00 UTC on 17 Oct.
TERM_DUE = dt.datetime(2022, 10, 17, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def week(term):
    return Week.objects.create(term=term, number=3, title="Robustness")


@pytest.fixture
def assignment(week, sections):
    assignment = AssignmentFactory(week=week, title="Week 3 reflection")
    assignment.tracks.set([sections["a"].track])
    return assignment


@pytest.fixture
def participant(people):
    return people["participant"]


def test_ticking_twice_keeps_one_mark_and_unticking_removes_it(week, participant):
    reading = ReadingFactory(week=week)
    lecture = LectureFactory(week=week)

    assert services.item_tick(user=participant, item=reading) is True
    assert services.item_tick(user=participant, item=reading) is False
    services.item_tick(user=participant, item=lecture)
    assert ItemCompletion.objects.filter(user=participant).count() == 2

    assert services.item_untick(user=participant, item=reading) is True
    assert services.item_untick(user=participant, item=reading) is False
    assert list(ItemCompletion.objects.values_list("lecture", "reading")) == [(lecture.pk, None)]
    assert AuditEvent.objects.filter(action="item.ticked").count() == 2


def test_a_draft_counts_revisions_and_a_stale_tab_cannot_overwrite_newer_text(
    assignment, participant
):
    first = services.submission_save_draft(
        assignment=assignment, user=participant, body_markdown="First thoughts", revision=0
    )
    same = services.submission_save_draft(
        assignment=assignment, user=participant, body_markdown="First thoughts", revision=1
    )
    newer = services.submission_save_draft(
        assignment=assignment, user=participant, body_markdown="Better thoughts", revision=1
    )
    assert (first.revision, same.revision, newer.revision) == (1, 1, 2)

    with pytest.raises(services.StaleRevisionError, match="another window"):
        services.submission_save_draft(
            assignment=assignment, user=participant, body_markdown="Old tab's text", revision=1
        )

    submission = Submission.objects.get()
    assert (submission.draft_markdown, submission.revision) == ("Better thoughts", 2)
    assert submission.status == SubmissionStatus.DRAFT
    assert not SubmissionVersion.objects.exists()


def test_submitting_appends_time_stamped_versions_and_the_same_text_twice_is_one(
    assignment, participant
):
    on_time = TERM_DUE - dt.timedelta(hours=5)

    first = services.submission_submit(
        assignment=assignment, user=participant, body_markdown="Answer one", now=on_time
    )
    again = services.submission_submit(
        assignment=assignment,
        user=participant,
        body_markdown="Answer one",
        now=on_time + dt.timedelta(seconds=1),
    )
    second = services.submission_submit(
        assignment=assignment,
        user=participant,
        body_markdown="Answer two",
        now=on_time + dt.timedelta(hours=1),
    )

    assert first.is_new and not again.is_new and second.is_new
    assert again.version.pk == first.version.pk
    versions = list(SubmissionVersion.objects.values_list("number", "body_markdown", "is_late"))
    assert versions == [(1, "Answer one", False), (2, "Answer two", False)]
    assert first.version.submitted_at == on_time
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_an_empty_answer_is_refused(assignment, participant):
    with pytest.raises(ServiceError, match="Write your answer"):
        services.submission_submit(assignment=assignment, user=participant, body_markdown="  \n")

    assert not SubmissionVersion.objects.exists()


def test_a_stale_tab_cannot_submit(assignment, participant):
    services.submission_save_draft(
        assignment=assignment, user=participant, body_markdown="Newer", revision=0
    )
    services.submission_save_draft(
        assignment=assignment, user=participant, body_markdown="Newest", revision=1
    )

    with pytest.raises(services.StaleRevisionError):
        services.submission_submit(
            assignment=assignment, user=participant, body_markdown="Old", revision=1
        )
    assert not SubmissionVersion.objects.exists()


def _submit_at(assignment, participant, moment, text="My answer"):
    return services.submission_submit(
        assignment=assignment, user=participant, body_markdown=text, now=moment
    ).version


def test_late_against_the_terms_date(assignment, participant):
    version = _submit_at(assignment, participant, TERM_DUE + dt.timedelta(minutes=1))

    assert (version.is_late, version.due_at, version.due_source) == (True, TERM_DUE, "term")


def test_not_late_at_the_due_instant_itself(assignment, participant):
    assert _submit_at(assignment, participant, TERM_DUE).is_late is False


def test_late_against_the_sections_date(assignment, participant, people, sections):
    section_due = TERM_DUE + dt.timedelta(days=2)
    due_override_set(
        item=assignment, section=sections["a"], due=section_due, actor=people["organizer"]
    )

    version = _submit_at(assignment, participant, TERM_DUE + dt.timedelta(days=1))
    later = _submit_at(assignment, participant, section_due + dt.timedelta(seconds=1), "v2")

    assert (version.is_late, version.due_source, version.due_at) == (False, "section", section_due)
    assert (later.is_late, later.due_source) == (True, "section")


def test_late_against_a_personal_extension_which_beats_the_section(
    assignment, participant, people, sections
):
    extension = TERM_DUE + dt.timedelta(days=5)
    due_override_set(
        item=assignment,
        section=sections["a"],
        due=TERM_DUE + dt.timedelta(days=2),
        actor=people["organizer"],
    )
    due_override_set(item=assignment, user=participant, due=extension, actor=people["organizer"])

    on_time = _submit_at(assignment, participant, TERM_DUE + dt.timedelta(days=4))
    late = _submit_at(assignment, participant, extension + dt.timedelta(hours=1), "v2")

    assert (on_time.is_late, on_time.due_source) == (False, "personal extension")
    assert (late.is_late, late.due_at) == (True, extension)


def test_the_sections_facilitator_reviews_and_the_participant_is_told(
    assignment, participant, people, django_capture_on_commit_callbacks
):
    version = _submit_at(assignment, participant, TERM_DUE)

    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.feedback_give(
            version=version,
            facilitator=people["facilitator"],
            verdict="needs_revision",
            comment="Say which shift you expect.",
        )

    assert Feedback.objects.get() == feedback
    assert feedback.get_verdict_display() == "Needs revision"
    [email] = mail.outbox
    assert email.to == [participant.email]
    assert "needs revision" in email.subject
    assert "Say which shift you expect." in email.body
    assert f"/terms/fall-2022/assignments/{assignment.pk}/" in email.body


def test_another_sections_facilitator_cannot_review(assignment, participant, people):
    version = _submit_at(assignment, participant, TERM_DUE)

    with pytest.raises(NotFoundError):
        services.feedback_give(
            version=version,
            facilitator=people["facilitator_other_section"],
            verdict="complete",
            comment="",
        )
    assert not Feedback.objects.exists()


def test_needs_revision_says_why_and_only_the_latest_version_is_reviewed(
    assignment, participant, people
):
    first = _submit_at(assignment, participant, TERM_DUE)
    _submit_at(assignment, participant, TERM_DUE, "Second try")

    with pytest.raises(ServiceError) as no_comment:
        services.feedback_give(
            version=first, facilitator=people["facilitator"], verdict="needs_revision", comment=""
        )
    with pytest.raises(ServiceError, match="Version 2 was submitted"):
        services.feedback_give(
            version=first, facilitator=people["facilitator"], verdict="complete", comment=""
        )

    assert "comment" in no_comment.value.field_errors
    assert not Feedback.objects.exists()


def test_awaiting_feedback_is_stored_for_the_latest_version(assignment, participant, people):
    """``Submission.awaiting_feedback`` (what the organizer's home counts from an index) is
    the latest version having no feedback: set by each new version, cleared by feedback."""

    def awaiting() -> tuple[bool, bool]:
        newer = SubmissionVersion.objects.filter(
            submission=OuterRef("submission"), number__gt=OuterRef("number")
        )
        computed = (
            SubmissionVersion.objects.exclude(Exists(newer))
            .exclude(Exists(Feedback.objects.filter(version=OuterRef("pk"))))
            .exists()
        )
        return Submission.objects.get().awaiting_feedback, computed

    first = _submit_at(assignment, participant, TERM_DUE)
    assert awaiting() == (True, True)
    services.feedback_give(
        version=first, facilitator=people["facilitator"], verdict="needs_revision", comment="More."
    )
    assert awaiting() == (False, False)
    _submit_at(assignment, participant, TERM_DUE, "My answer, revised")
    assert awaiting() == (True, True)
    _submit_at(assignment, participant, TERM_DUE, "My answer, revised")  # the same text again
    assert awaiting() == (True, True)


def test_after_a_switch_old_homework_stays_with_the_old_section(
    assignment, participant, people, sections
):
    # The participant moved from A to B from week 3 on: week 3's work is now B's to review.
    membership = SectionMembership.objects.get(user=participant)
    membership.to_week = 2
    membership.save()
    SectionMembership.objects.create(section=sections["b"], user=participant, from_week=3)
    version = _submit_at(assignment, participant, TERM_DUE)

    with pytest.raises(NotFoundError):
        services.feedback_give(
            version=version, facilitator=people["facilitator"], verdict="complete", comment=""
        )
    services.feedback_give(
        version=version,
        facilitator=people["facilitator_other_section"],
        verdict="complete",
        comment="",
    )
    assert Feedback.objects.get().facilitator == people["facilitator_other_section"]
