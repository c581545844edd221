"""POST rows of the programs pages (collected by cohortkit/tests/test_permissions_post.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cohortkit.tests.post_matrix import DONE, ORGANIZER_POSTS, Post, World
from conftest import ROLES


def _settings_as_they_are(world: World) -> dict[str, Any]:
    """The settings form as the page fills it in, with a new name."""
    from cohortkit.programs.forms import TermSettingsForm
    from cohortkit.programs.models import Term

    data: dict[str, Any] = {}
    for key, value in TermSettingsForm.initial_for(Term.objects.get(pk=world.term.pk)).items():
        if value is True:
            data[key] = "on"
        elif value is None or value is False:
            continue
        elif isinstance(value, dt.time):
            data[key] = value.strftime("%H:%M")
        else:
            data[key] = str(value)
    return data | {"name": "Fall 2022 (renamed)"}


def _failed_email(world: World) -> list[Any]:
    """A failed email of the matrix term: what the outbox offers to send again."""
    from django.utils import timezone

    from cohortkit.notifications.models import OutboundEmail

    email = OutboundEmail.objects.create(
        idempotency_key=f"matrix-failed:{world.role}",
        to="participant@example.org",
        subject="Your section",
        body="Hello",
        term_id=world.term.pk,
        attempts=5,
        failed_at=timezone.now(),
        last_error="550 mailbox unavailable",
    )
    return [world.term.slug, email.pk]


def _finished(world: World, response: Any) -> bool:
    from cohortkit.programs.models import Term

    return Term.objects.get(pk=world.term.pk).finished_at is not None


def _zone_picked(world: World, response: Any) -> bool:
    return response.cookies["tz"].value == "Europe/Berlin"


POST_ROWS: dict[str, Post] = {
    # Anyone, signed in or not, picks the zone times are shown in (a cookie and the session).
    "programs:time_zone_pick": Post(
        args=lambda w: [],
        data={"tz": "Europe/Berlin", "next": "/"},
        answers=dict.fromkeys(ROLES, DONE),
        done=_zone_picked,
    ),
    "programs:term_settings": Post(
        args=lambda w: [w.term.slug],
        data=_settings_as_they_are,
        answers=ORGANIZER_POSTS,
    ),
    "programs:term_copy": Post(
        args=lambda w: [w.term.slug],
        data={"name": "Spring 2024", "slug": "spring-2024", "starts_on": "2024-03-04"},
        answers=ORGANIZER_POSTS,
    ),
    # The term's state: finishing a term past its last day (read-only from then on).
    "programs:term_state": Post(
        args=lambda w: [w.term.slug],
        data={"action": "finish"},
        answers=ORGANIZER_POSTS,
        done=_finished,
    ),
    "programs:outbox_retry": Post(
        args=_failed_email,
        answers=ORGANIZER_POSTS,
    ),
}
