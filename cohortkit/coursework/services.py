"""Writes of weekly work: ticking items off, drafts, submissions and facilitators' feedback.

Every page goes through these functions. Late work is accepted and marked late against the
person's own due date (``due_at``: personal extension, then section, then term) at the moment it
is submitted; a submitted version is never changed, a new one is appended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cohortkit.common.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from cohortkit.common.markdown import (
    MAX_MARKDOWN_CHARACTERS,
    markdown_length_problem,
    render_markdown,
)
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant
from cohortkit.coursework.due import due_at
from cohortkit.coursework.models import (
    Feedback,
    FeedbackVerdict,
    ItemCompletion,
    Submission,
    SubmissionStatus,
    SubmissionVersion,
)
from cohortkit.coursework.rules import can_give_feedback
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.models import Assignment, Lecture, Reading

MAX_ANSWER_CHARACTERS = MAX_MARKDOWN_CHARACTERS


class StaleRevisionError(ConflictError):
    """A newer revision of the answer was saved since the page was opened."""


def _item_field(item: Lecture | Reading) -> dict[str, Any]:
    if isinstance(item, Lecture):
        return {"lecture": item}
    if isinstance(item, Reading):
        return {"reading": item}
    raise InvalidInputError("Only lectures and readings are ticked off.")


@transaction.atomic
def item_tick(*, user: Any, item: Lecture | Reading, now: dt.datetime | None = None) -> bool:
    """Mark the lecture or reading done for the person; True when it was not done before."""
    field = _item_field(item)
    if ItemCompletion.objects.filter(user=user, **field).exists():
        return False
    try:
        with transaction.atomic():
            completion = ItemCompletion.objects.create(
                user=user, completed_at=now or timezone.now(), **field
            )
    except IntegrityError:  # the same tick from another tab got there first
        return False
    audit_record(actor=user, action="item.ticked", target=completion)
    return True


@transaction.atomic
def item_untick(*, user: Any, item: Lecture | Reading) -> bool:
    """Mark the item not done again; True when it was done."""
    field = _item_field(item)
    completion = ItemCompletion.objects.filter(user=user, **field).first()
    if completion is None:
        return False
    audit_record(actor=user, action="item.unticked", target=completion)
    completion.delete()
    return True


def _locked_submission(*, assignment: Assignment, user: Any) -> Submission:
    """The person's one submission of the assignment, created if needed, locked for this
    transaction. Two first saves at once (two tabs) race on the unique constraint; the loser
    reads the winner's row."""
    submission = (
        Submission.objects.select_for_update().filter(assignment=assignment, user=user).first()
    )
    if submission is None:
        try:
            with transaction.atomic():
                Submission.objects.create(assignment=assignment, user=user)
        except IntegrityError:
            pass
        submission = Submission.objects.select_for_update().get(assignment=assignment, user=user)
    submission.assignment = assignment
    submission.user = user
    return submission


def _check_length(body_markdown: str) -> None:
    problem = markdown_length_problem(body_markdown, what="An answer")
    if problem is not None:
        raise InvalidInputError(
            problem,
            field_errors={
                "body": f"Too long: {len(body_markdown):,} of at most "
                f"{MAX_ANSWER_CHARACTERS:,} characters."
            },
        )


@transaction.atomic
def submission_save_draft(
    *, assignment: Assignment, user: Any, body_markdown: str, revision: int | None = None
) -> Submission:
    """Keep what the person has typed so far; the draft's revision grows when the text changes.

    Refused, changing nothing, when ``revision`` is older than the stored one: another tab saved
    newer text, and this one must not overwrite it. Saving is not an event worth auditing: the
    submitted versions are the record.
    """
    _check_length(body_markdown)
    submission = _locked_submission(assignment=assignment, user=user)
    if revision is not None and revision < submission.revision:
        raise StaleRevisionError(
            "A newer version of this answer was saved in another window. "
            "Reload the page to continue from it."
        )
    if body_markdown != submission.draft_markdown:
        submission.draft_markdown = body_markdown
        submission.revision += 1  # the row is locked: no lost update
        submission.save(update_fields=["draft_markdown", "revision", "updated_at"])
    return submission


@dataclass(frozen=True)
class Submitted:
    version: SubmissionVersion
    is_new: bool  # False: the same text was already the latest version (a double submit)


@transaction.atomic
def submission_submit(
    *,
    assignment: Assignment,
    user: Any,
    body_markdown: str,
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> Submitted:
    """Hand in the text as a new version, time-stamped and marked late if after the person's
    due date. Late work is accepted. Submitting the text of the latest version again adds
    nothing. Refused for an empty answer or a stale revision."""
    if not body_markdown.strip():
        raise InvalidInputError(
            "Write your answer before submitting.", field_errors={"body": "This is empty."}
        )
    submission = submission_save_draft(
        assignment=assignment, user=user, body_markdown=body_markdown, revision=revision
    )
    latest = submission.versions.order_by("-number").first()
    if latest is not None and latest.body_markdown == body_markdown:
        return Submitted(latest, is_new=False)
    moment = now or timezone.now()
    due = due_at(item=assignment, user=user)
    version = SubmissionVersion.objects.create(
        submission=submission,
        number=(latest.number if latest else 0) + 1,
        body_markdown=body_markdown,
        body_html=render_markdown(body_markdown),
        submitted_at=moment,
        due_at=due.instant,
        due_source=due.source,
        is_late=due.is_late(moment),
    )
    submission.status = SubmissionStatus.SUBMITTED
    submission.awaiting_feedback = True  # the new version has no feedback yet
    submission.save(update_fields=["status", "awaiting_feedback", "updated_at"])
    audit_record(
        actor=user,
        action="submission.submitted",
        target=version,
        details={"number": version.number, "late": version.is_late, "due_source": due.source},
    )
    return Submitted(version, is_new=True)


@transaction.atomic
def feedback_give(
    *,
    version: SubmissionVersion,
    facilitator: Any,
    verdict: str,
    comment: str,
    now: dt.datetime | None = None,
) -> Feedback:
    """Review a submitted version as complete or needing revision; the participant sees it and
    is emailed. Only the facilitator of the section the participant was in that week may, and
    only the latest version (a newer one makes an open review page stale)."""
    submission = version.submission
    assignment = submission.assignment
    if not can_give_feedback(
        facilitator=facilitator, assignment=assignment, participant=submission.user
    ):
        raise NotFoundError("No such submission in your section.")
    comment = comment.strip()
    errors: dict[str, str] = {}
    if verdict not in FeedbackVerdict.values:
        errors["verdict"] = "Choose complete or needs revision."
    elif verdict == FeedbackVerdict.NEEDS_REVISION and not comment:
        errors["comment"] = "Say what to revise: the participant reads this."
    if errors:
        raise InvalidInputError("The review was not saved.", field_errors=errors)
    newest = submission.versions.aggregate(newest=Max("number"))["newest"]
    if newest != version.number:
        raise ConflictError(
            f"Version {newest} was submitted since you opened this page: review that one."
        )
    feedback = Feedback.objects.create(
        version=version,
        facilitator=facilitator,
        verdict=verdict,
        comment=comment,
        created_at=now or timezone.now(),
    )
    Submission.objects.filter(pk=submission.pk).update(awaiting_feedback=False)
    audit_record(
        actor=facilitator,
        action="feedback.given",
        target=feedback,
        details={"verdict": verdict, "version": version.number},
    )
    participant = submission.user
    term = assignment.week.term
    link = settings.SITE_URL + reverse("coursework:assignment", args=[term.slug, assignment.pk])
    verdict_text = feedback.get_verdict_display().lower()
    email_queue_rendered(
        to=participant.email,
        template="coursework/feedback_given",
        context={
            "participant": participant,
            "facilitator": facilitator,
            "version": version,
            "assignment": assignment,
            "submitted": format_instant(version.submitted_at, participant.time_zone or "UTC"),
            "verdict_text": verdict_text,
            "comment": comment,
            "link": link,
        },
        idempotency_key=f"feedback-{feedback.pk}",
    )
    return feedback
