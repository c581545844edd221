"""POST rows of the calendar pages (collected by cohortkit/tests/test_permissions_post.py)."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.post_matrix import EVERYONE_SIGNED_IN, Post, World


def _has_a_feed(world: World, response: Any) -> bool:
    from cohortkit.calendars.models import CalendarFeed

    return CalendarFeed.objects.filter(user=world.me()).exists()


# Everyone signed in makes (or replaces) their own feed.
POST_ROWS: dict[str, Post] = {
    "calendars:reset": Post(
        args=lambda w: [],
        answers=EVERYONE_SIGNED_IN,
        done=_has_a_feed,
    ),
}
