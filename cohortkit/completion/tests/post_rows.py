"""POST rows of the completion pages (collected by cohortkit/tests/test_permissions_post.py).

Confirming outcomes, overriding them, the rule and the pass marks are the organizers'; the
end-of-course feedback is the participants' (organizers, facilitators and reviewers: 403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cohortkit.tests.post_matrix import ORGANIZER_POSTS, PARTICIPANT_POSTS, Post, World


def _the_participant(world: World) -> list[Any]:
    return [world.term.slug, world.person("participant").pk]


def _a_quiz(world: World) -> list[Any]:
    from cohortkit.quizzes.tests.factories import quiz_in

    return [world.term.slug, quiz_in(world.term).pk]


def _open_feedback_form(world: World) -> list[str]:
    from django.utils import timezone

    from cohortkit.completion.models import FeedbackForm, FeedbackQuestion

    now = timezone.now()
    form = FeedbackForm.objects.create(
        term=world.term,
        title="How was it?",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
    )
    FeedbackQuestion.objects.create(
        form=form, position=0, key="overall", label="Overall?", type="short_text"
    )
    return [world.term.slug]


POST_ROWS: dict[str, Post] = {
    "completion:confirm": Post(args=lambda w: [w.term.slug], answers=ORGANIZER_POSTS),
    "completion:override": Post(
        args=_the_participant,
        data={"outcome": "completes", "reason": "Attended a make-up session."},
        answers=ORGANIZER_POSTS,
    ),
    "completion:resolve": Post(
        args=_the_participant, data={"action": "apply"}, answers=ORGANIZER_POSTS
    ),
    "completion:rule": Post(
        args=lambda w: [w.term.slug],
        data={
            "which": "",
            "term-min_meetings": "6",
            "term-min_assignments": "0",
            "term-min_quizzes": "0",
            "term-quiz_pass_percent": "60",
        },
        answers=ORGANIZER_POSTS,
    ),
    "completion:pass_mark": Post(
        args=_a_quiz, data={"pass_percent": "70"}, answers=ORGANIZER_POSTS
    ),
    "completion:feedback": Post(
        args=_open_feedback_form,
        data={"answer-overall": "Very useful."},
        answers=PARTICIPANT_POSTS,
    ),
    "completion:feedback_create": Post(args=lambda w: [w.term.slug], answers=ORGANIZER_POSTS),
}
