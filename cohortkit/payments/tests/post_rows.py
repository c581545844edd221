"""POST rows of the money pages (collected by cohortkit/tests/test_permissions_post.py).

Organizers set pay, decide eligibility and timesheets and run payout batches; facilitators (both)
fill in their own timesheets (organizers: 403); a meeting is handed over by its leader or an
organizer (the other section's facilitator: 404).
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import FORBIDDEN, NOT_FOUND, ORGANIZER_ONLY
from cohortkit.tests.post_matrix import ORGANIZER_POSTS, Post, World, may


def _submitted_timesheet(world: World) -> list[Any]:
    from cohortkit.payments.services.timesheets import timesheet_get_or_create, timesheet_submit

    facilitator = world.person("facilitator")
    sheet = timesheet_get_or_create(term=world.term, facilitator=facilitator, week=1)
    timesheet_submit(timesheet=sheet, actor=facilitator, prep_minutes=60, prep_note="Slides")
    return [world.term.slug, sheet.pk]


def _stipend_due(world: World) -> list[Any]:
    """The participant eligible, accrued and with a tax form: a batch has a line to pay."""
    from django.utils import timezone

    from cohortkit.payments.models import TaxFormReceipt
    from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set

    organizer, participant = world.person("organizer"), world.person("participant")
    stipend_eligibility_set(term=world.term, user=participant, status="eligible", actor=organizer)
    stipend_accrue(term=world.term, user=participant, actor=organizer)
    today = timezone.now().date()
    TaxFormReceipt.objects.create(user=participant, year=today.year, received_on=today)
    return [world.term.slug]


def _draft_batch(world: World) -> list[Any]:
    from cohortkit.payments.services.batches import payout_batch_build

    _stipend_due(world)
    batch = payout_batch_build(term=world.term, actor=world.person("organizer"))
    return [world.term.slug, batch.pk]


FACILITATORS_ONLY = {
    **may(("facilitator", "facilitator_other_section"), ORGANIZER_ONLY),
    "organizer": FORBIDDEN,
}

POST_ROWS: dict[str, Post] = {
    "payments:pay_settings": Post(
        args=lambda w: [w.term.slug],
        data={"prep_hours_cap": "3", "facilitator_cap": ""},
        answers=ORGANIZER_POSTS,
    ),
    "payments:eligibility": Post(
        args=lambda w: [w.term.slug],
        data=lambda w: {"user_id": str(w.person("participant").pk), "status": "eligible"},
        answers=ORGANIZER_POSTS,
    ),
    "payments:timesheet_decide": Post(
        args=_submitted_timesheet, data={"decision": "approve"}, answers=ORGANIZER_POSTS
    ),
    "payments:batch_build": Post(args=_stipend_due, answers=ORGANIZER_POSTS),
    "payments:batch_act": Post(
        args=_draft_batch, data={"action": "freeze"}, answers=ORGANIZER_POSTS
    ),
    "payments:timesheet_week": Post(
        args=lambda w: [w.term.slug, 1],
        data={"prep_hours": "1.5", "prep_note": "Read the papers."},
        answers=FACILITATORS_ONLY,
    ),
    # Week 1 of section A, handed to B's facilitator.
    "payments:meeting_hand_over": Post(
        args=lambda w: [w.term.slug, w.sections["a"].meetings.get(week=1).pk],
        data=lambda w: {"to_user": str(w.person("facilitator_other_section").pk)},
        answers={
            **may(("facilitator", "organizer"), ORGANIZER_ONLY),
            "facilitator_other_section": NOT_FOUND,
        },
    ),
}
