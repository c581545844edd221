"""The rows of the POST permission matrix (``cohortkit/tests/test_permissions_post.py``).

An app keeps its rows in ``cohortkit/<app>/tests/post_rows.py`` with up to two dicts:
``POST_ROWS`` (URL name → :class:`Post`) and ``API_POST_ROWS`` ((method, OpenAPI path) →
:class:`Post`, its ``args`` giving the URL). A row says, per role, either :data:`DONE` (the role
may: the answer is 2xx/3xx, not the login page, and the write happened) or the status of the
refusal (and then nothing in the database changed).

Every row runs against one world built once per test module (:func:`world_build`): the matrix
term ``fall-2022`` (published, past its deadlines) with a participant and a facilitator form, two
tracks and two sections (``facilitator`` leads A with ``participant`` in it;
``facilitator_other_section`` leads B), and the organizer of another term. ``args`` and ``data``
may create what the row needs (inside the test's transaction, before the snapshot).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from cohortkit.tests.permission_roles import (
    API_ORGANIZER_ONLY,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    ORGANIZER_ONLY,
)
from conftest import ROLES

DONE = "done"
# Refused with a redirect somewhere other than the login page (e.g. to sign up), nothing changed.
REDIRECT = "redirect"


@dataclasses.dataclass
class World:
    term: Any
    other_term: Any
    people: dict[str, Any]
    sections: dict[str, Any]
    # The row being checked: the role posting and the URL arguments its ``args`` gave.
    role: str = "anonymous"
    args: Any = None

    def person(self, role: str) -> Any:
        from cohortkit.accounts.models import User

        return User.objects.get(pk=self.people[role].pk)

    def me(self) -> Any:
        """The person posting (None for anonymous)."""
        return None if self.role == "anonymous" else self.person(self.role)


@dataclasses.dataclass(frozen=True)
class Post:
    """One POST route: how to build its URL arguments and payload, and the answer per role.

    ``args(world)`` gives the URL's arguments (for an API row: the URL itself); ``data`` is the
    form (or JSON) payload, or ``data(world)`` (``world.role`` and ``world.args`` are set);
    ``done(world, response)`` says the write happened (without it: the database must have
    changed); ``prepare(world, client)`` readies the client (e.g. a session) before the snapshot.
    ``json`` sends ``data`` as JSON.
    """

    args: Callable[[World], Any]
    answers: dict[str, Any]
    data: dict[str, Any] | Callable[[World], dict[str, Any]] = dataclasses.field(
        default_factory=dict
    )
    done: Callable[[World, Any], bool] | None = None
    prepare: Callable[[World, Any], None] | None = None
    json: bool = False
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def payload(self, world: World) -> dict[str, Any]:
        return self.data(world) if callable(self.data) else dict(self.data)


def may(roles: Any, refusals: dict[str, Any]) -> dict[str, Any]:
    """``refusals`` with the given role(s) allowed."""
    roles = (roles,) if isinstance(roles, str) else roles
    return {**refusals, **dict.fromkeys(roles, DONE)}


ORGANIZER_POSTS = may("organizer", ORGANIZER_ONLY)
API_ORGANIZER_POSTS = may("organizer", API_ORGANIZER_ONLY)
# Only the person themself (their own account, token, application…): nobody is refused.
EVERYONE_SIGNED_IN = {role: (LOGIN if role == "anonymous" else DONE) for role in ROLES}
TERM_MEMBER_POSTS = {
    **EVERYONE_SIGNED_IN,
    "applicant": NOT_FOUND,
    "organizer_other_term": NOT_FOUND,
}
PARTICIPANT_POSTS = {**ORGANIZER_ONLY, "participant": DONE, "organizer": FORBIDDEN}
__all__ = ["DONE", "FORBIDDEN", "LOGIN", "NOT_FOUND", "REDIRECT", "Post", "World", "may"]


def world_build() -> World:
    """The matrix world (the same as conftest's ``term``, ``people`` and ``sections``)."""
    from cohortkit.accounts.models import Role
    from cohortkit.common.timezones import wall_clock_to_instant
    from cohortkit.programs.models import Track
    from cohortkit.sections.models import Meeting, Section, SectionMembership
    from cohortkit.tests.factories import (
        ApplicationFormFactory,
        MembershipFactory,
        TermFactory,
        UserFactory,
    )

    term = TermFactory(slug="fall-2022", name="Fall 2022")
    other_term = TermFactory(slug="spring-2023", name="Spring 2023")
    people = {role: UserFactory(email=f"{role}@example.org") for role in ROLES[1:]}
    for role, member_role in (
        ("participant", Role.PARTICIPANT),
        ("facilitator", Role.FACILITATOR),
        ("facilitator_other_section", Role.FACILITATOR),
        ("reviewer", Role.REVIEWER),
        ("organizer", Role.ORGANIZER),
    ):
        MembershipFactory(term=term, user=people[role], role=member_role)
    MembershipFactory(term=other_term, user=people["organizer_other_term"], role=Role.ORGANIZER)

    intro = Track.objects.create(term=term, slug="intro", name="Introductory", position=0)
    Track.objects.create(term=term, slug="advanced", name="Advanced", position=1)
    sections = {}
    for key, facilitator, weekday, hour, zone in (
        ("a", "facilitator", 0, 18, "America/New_York"),
        ("b", "facilitator_other_section", 2, 19, "Europe/Berlin"),
    ):
        sections[key] = Section.objects.create(
            term=term,
            track=intro,
            name=f"Introductory {key.upper()}",
            facilitator=people[facilitator],
            meeting_url=f"https://meet.example.org/{key}",
            weekday=weekday,
            start_time=dt.time(hour, 0),
            time_zone=zone,
        )
    SectionMembership.objects.create(section=sections["a"], user=people["participant"], from_week=1)
    for section in sections.values():
        for week in range(1, term.week_count + 1):
            day = term.week_starts_on(week) + dt.timedelta(days=section.weekday)
            starts_at = wall_clock_to_instant(day, section.start_time, section.time_zone)
            Meeting.objects.create(
                section=section,
                week=week,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=section.duration_minutes),
            )
    ApplicationFormFactory(term=term, kind="participant")
    ApplicationFormFactory(term=term, kind="facilitator", title="Facilitator application")
    return World(term=term, other_term=other_term, people=people, sections=sections)


# What the snapshot leaves out: sessions and the login bookkeeping change on any request.
UNWATCHED_MODELS = {"sessions.Session", "axes.AccessLog"}
UNWATCHED_FIELDS = {"accounts.User": {"last_login"}, "accounts.ApiToken": {"last_used_at"}}


def database_snapshot() -> dict[str, Any]:
    """Every watched model's rows (all their columns), to compare before and after a request."""
    from django.apps import apps

    snapshot: dict[str, Any] = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in UNWATCHED_MODELS:
            continue
        skip = UNWATCHED_FIELDS.get(label, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
        snapshot[label] = list(model._base_manager.order_by("pk").values_list(*columns))
    return snapshot


def snapshot_difference(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [label for label in before if before[label] != after[label]]
