"""POST rows of the coursework pages (collected by cohortkit/tests/test_permissions_post.py).

Members tick off their own lectures; participants hand in answers; the facilitator of section A
reviews its homework (organizers read it but do not review: 403; B's facilitator: 404); due
dates are the organizers'.
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import FORBIDDEN, LOGIN, NOT_FOUND
from cohortkit.tests.post_matrix import (
    DONE,
    ORGANIZER_POSTS,
    PARTICIPANT_POSTS,
    TERM_MEMBER_POSTS,
    Post,
    World,
)


def _week_one(world: World) -> Any:
    from cohortkit.programs.models import Week
    from cohortkit.tests.factories import WeekFactory

    return Week.objects.filter(term=world.term, number=1).first() or WeekFactory(
        term=world.term, number=1
    )


def _assignment(world: World) -> Any:
    from cohortkit.coursework.tests.factories import AssignmentFactory
    from cohortkit.programs.models import Track

    assignment = AssignmentFactory(week=_week_one(world))
    assignment.tracks.set(Track.objects.filter(term=world.term))
    return assignment


def _lecture(world: World) -> list[Any]:
    from cohortkit.tests.factories import LectureFactory

    world.lecture = LectureFactory(week=_week_one(world))
    return [world.term.slug, 1]


def _participants_homework_in_a(world: World) -> list[Any]:
    from cohortkit.coursework.tests.factories import SubmissionFactory, SubmissionVersionFactory

    submission = SubmissionFactory(assignment=_assignment(world), user=world.person("participant"))
    version = SubmissionVersionFactory(submission=submission)
    return [world.term.slug, world.sections["a"].pk, version.pk]


def _submissions_of_me(world: World) -> Any:
    from cohortkit.coursework.models import Submission

    return Submission.objects.filter(user=world.me())


SECTION_A_LEAD = {
    "anonymous": LOGIN,
    "applicant": NOT_FOUND,
    "participant": FORBIDDEN,
    "facilitator_other_section": NOT_FOUND,
    "facilitator": DONE,
    "reviewer": FORBIDDEN,
    "organizer_other_term": NOT_FOUND,
    "organizer": FORBIDDEN,
}

POST_ROWS: dict[str, Post] = {
    "coursework:item_done": Post(
        args=_lecture,
        data=lambda w: {"kind": "lecture", "item": str(w.lecture.pk), "done": "1"},
        answers=TERM_MEMBER_POSTS,
    ),
    # Autosave tells a signed-out person in place (401) rather than sending them to log in.
    "coursework:assignment_save": Post(
        args=lambda w: [w.term.slug, _assignment(w).pk],
        data={"answer-body": "A first draft.", "revision": ""},
        answers={**PARTICIPANT_POSTS, "anonymous": 401},
        done=lambda w, response: _submissions_of_me(w).exists(),
    ),
    "coursework:assignment_submit": Post(
        args=lambda w: [w.term.slug, _assignment(w).pk],
        data={"answer-body": "My answer."},
        answers=PARTICIPANT_POSTS,
        done=lambda w, response: _submissions_of_me(w).filter(status="submitted").exists(),
    ),
    "coursework:feedback_give": Post(
        args=_participants_homework_in_a,
        data=lambda w: {f"v{w.args[2]}-verdict": "complete", f"v{w.args[2]}-comment": "Good."},
        answers=SECTION_A_LEAD,
    ),
    "coursework:due_dates": Post(
        args=lambda w: [w.term.slug],
        data=lambda w: {
            "item": f"assignment-{_assignment(w).pk}",
            "email": "participant@example.org",
            "due_date": "2022-10-20",
            "due_time": "23:59",
            "time_zone": "UTC",
            "reason": "Ill",
        },
        answers=ORGANIZER_POSTS,
    ),
}
