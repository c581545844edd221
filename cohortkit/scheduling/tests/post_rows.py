"""POST rows of the scheduling pages and API (see cohortkit/tests/test_permissions_post.py).

Runs are the organizers'. Attendance of section A is its facilitator's and the organizers' (B's
facilitator: 404). An apology is a member's for their own section's meeting (anyone else in the
term is told so and sent back: nothing changes); switching is the participants'.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from cohortkit.tests.permission_roles import NOT_FOUND, ORGANIZER_ONLY
from cohortkit.tests.post_matrix import (
    API_ORGANIZER_POSTS,
    DONE,
    ORGANIZER_POSTS,
    PARTICIPANT_POSTS,
    REDIRECT,
    TERM_MEMBER_POSTS,
    Post,
    World,
    may,
)


def _run(world: World, **fields: Any) -> list[Any]:
    from cohortkit.scheduling.tests.factories import ScheduleRunFactory
    from cohortkit.scheduling.tests.test_edits import INSTANCE, SOLUTION

    fields = {"instance": INSTANCE, "solution": SOLUTION, "placed": 4, "bound": 4} | fields
    return [world.term.slug, ScheduleRunFactory(term=world.term, **fields).pk]


def _soon() -> Any:
    from django.utils import timezone

    return timezone.now() + dt.timedelta(minutes=5)


def _instance_file(world: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cohortkit.scheduling.tests.factories import EMPTY_INSTANCE

    text = json.dumps(EMPTY_INSTANCE)
    return {
        "instance_file": SimpleUploadedFile("instance.json", text.encode(), "application/json"),
        "time_limit": "10",
    }


def _upcoming(world: World, section: str) -> Any:
    """Week 8 of the section, moved a week ahead of now."""
    from django.utils import timezone

    meeting = world.sections[section].meetings.get(week=8)
    meeting.starts_at = timezone.now() + dt.timedelta(days=7)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=1)
    meeting.save(update_fields=["starts_at", "ends_at"])
    return meeting


def _solved_from_applications(world: World) -> list[Any]:
    """A facilitator and a participant applied (free Mondays 18:00 New York); the term's run
    placed them: ready to publish."""
    from cohortkit.admissions.models import ApplicationForm
    from cohortkit.programs.models import Term
    from cohortkit.scheduling.services.runs import schedule_run_create, schedule_run_execute
    from cohortkit.scheduling.tests.factories import (
        FACILITATOR_QUESTIONS,
        PARTICIPANT_QUESTIONS,
        facilitator,
        participant,
    )
    from cohortkit.tests.factories import FormQuestionFactory

    Term.objects.filter(pk=world.term.pk).update(
        section_size_min=1, section_size_max=4, meeting_minutes=60
    )
    for kind, questions in (
        ("participant", PARTICIPANT_QUESTIONS),
        ("facilitator", FACILITATOR_QUESTIONS),
    ):
        form = ApplicationForm.objects.get(term=world.term, kind=kind)
        for position, (key, type_, extra) in enumerate(questions):
            FormQuestionFactory(form=form, key=key, type=type_, position=position, **extra)
    facilitator(world.term, "America/New_York", "Mon 18:00-19:00")
    participant(world.term, "America/New_York", "Mon 17:00-20:00")
    run = schedule_run_create(
        term=Term.objects.get(pk=world.term.pk),
        actor=world.person("organizer"),
        time_limit_seconds=3,
        source="applications",
    )
    schedule_run_execute(run_id=run.pk)
    return [world.term.slug, run.pk]


# Organizers read the page as the lead does; B's facilitator does not learn of section A.
SECTION_A_LEAD_AND_ORGANIZERS = {
    **may(("facilitator", "organizer"), ORGANIZER_ONLY),
    "facilitator_other_section": NOT_FOUND,
}

POST_ROWS: dict[str, Post] = {
    "scheduling:run_start": Post(
        args=lambda w: [w.term.slug], data={"time_limit": "10"}, answers=ORGANIZER_POSTS
    ),
    "scheduling:run_import": Post(
        args=lambda w: [w.term.slug], data=_instance_file, answers=ORGANIZER_POSTS
    ),
    "scheduling:run_restart": Post(
        args=lambda w: _run(w, status="failed", solution=None, finished_at=None),
        answers=ORGANIZER_POSTS,
    ),
    "scheduling:run_edit": Post(
        args=_run,
        data={"action": "move", "participant": "p4", "to_section": "1"},
        answers=ORGANIZER_POSTS,
    ),
    # Only an answer (a message on the run's page): nothing is stored.
    "scheduling:run_what_if": Post(
        args=_run,
        data={"track": "intro", "weekday": "2", "start_time": "10:00"},
        answers=ORGANIZER_POSTS,
        done=lambda w, response: "/runs/" in response["Location"],
    ),
    # The confirmation page said two people (the facilitator and the participant) are emailed.
    "scheduling:run_publish": Post(
        args=_solved_from_applications,
        data={"grant_roles": "yes", "expected_emails": "2"},
        answers=ORGANIZER_POSTS,
    ),
    # The stop button on a running run: its stop flag is set for the worker.
    "scheduling:run_stop": Post(
        args=lambda w: _run(
            w, status="running", solution=None, finished_at=None, lease_expires_at=_soon()
        ),
        answers=ORGANIZER_POSTS,
    ),
    "sections:attendance": Post(
        args=lambda w: [w.term.slug, w.sections["a"].pk, 1],
        data=lambda w: {f"status-{w.person('participant').pk}": "present"},
        answers=SECTION_A_LEAD_AND_ORGANIZERS,
    ),
    "sections:apology": Post(
        args=lambda w: [w.term.slug, _upcoming(w, "a").pk],
        data={"reason": "Travelling"},
        answers={
            **{role: REDIRECT for role, answer in TERM_MEMBER_POSTS.items() if answer == DONE},
            **{role: a for role, a in TERM_MEMBER_POSTS.items() if a != DONE},
            "participant": DONE,
        },
    ),
    "sections:switch": Post(
        args=lambda w: [w.term.slug],
        data=lambda w: {
            "kind": "visit",
            "meeting": str(_upcoming(w, "a") and _upcoming(w, "b").pk),
        },
        answers=PARTICIPANT_POSTS,
    ),
}

API_POST_ROWS: dict[tuple[str, str], Post] = {
    # Queues a run of the term's own (empty) instance.
    ("post", "/api/v1/terms/{slug}/schedule/runs"): Post(
        args=lambda w: "/api/v1/terms/fall-2022/schedule/runs",
        data={"time_limit_seconds": 10},
        answers=API_ORGANIZER_POSTS,
    ),
}
