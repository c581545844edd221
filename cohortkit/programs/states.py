"""The state of a term: draft, open for applications, running, finished, archived.

Three states are *stored*, each set by an organizer on the term's state page, because each one
changes what people may do: published or a draft (``Term.is_published``; a copied term starts as
a draft), finished (``Term.finished_at``) and archived (``Term.archived_at``). Two are *derived*
from the dates, because they only describe the calendar: a published term is open for
applications until its first day and running from then on.

Why "finished" is stored rather than read from the last day: finishing makes the term read-only,
and the calendar alone must not lock facilitators out of the last meeting's attendance or
reviewers out of late decisions at midnight. So a term whose last day has passed stays running
(its pages say so and offer the organizer to finish it) until an organizer finishes it, which is
possible only after the last day; it can be reopened for a correction, audited both ways.

| state | public pages | writes |
| --- | --- | --- |
| draft | 404 for outsiders | everything |
| open, running | public | everything |
| finished | public | only money (payments) and certificates |
| archived | hidden from lists, 404 for outsiders | nothing (but see certificates below) |

Writes are refused in two places: ``TermStateMiddleware`` answers every POST/PUT/PATCH/DELETE under
``/terms/<slug>/`` and ``/api/v1/terms/<slug>/`` (so no page or
route can forget), and the main
services (applying, reviewing, deciding, attendance) call ``term_require_writable`` so the command
line is covered too.

Certificates live at ``/certificates/<id>/``, outside the term, because a credential outlives its
term: on an archived term none is issued or reissued with a new name, but the holder may still
withdraw theirs and an organizer may still revoke one (with a reason, audited).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from cohortkit.common.errors import ConflictError, TooLateError
from cohortkit.common.refusals import refusal_page
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import wall_clock_to_instant
from cohortkit.notifications.services import email_term_scope
from cohortkit.programs.models import Term

FINISHED_MESSAGE = "This term is finished; it is read-only except money and certificates."
ARCHIVED_MESSAGE = "This term is archived; it is read-only."


class TermState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    RUNNING = "running"
    FINISHED = "finished"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    TermState.DRAFT: "Draft",
    TermState.OPEN: "Open for applications",
    TermState.RUNNING: "Running",
    TermState.FINISHED: "Finished",
    TermState.ARCHIVED: "Archived",
}


def _starts_at(term: Term) -> dt.datetime:
    return wall_clock_to_instant(term.starts_on, dt.time(0, 0), term.time_zone)


def term_ends_at(term: Term) -> dt.datetime:
    """The instant the term is over: the end of its last day in its own zone."""
    return wall_clock_to_instant(term.ends_on + dt.timedelta(days=1), dt.time(0, 0), term.time_zone)


def term_state(term: Term, now: dt.datetime | None = None) -> TermState:
    """The state of the term at ``now``: the stored states first, then the dates."""
    if term.archived_at is not None:
        return TermState.ARCHIVED
    if term.finished_at is not None:
        return TermState.FINISHED
    if not term.is_published:
        return TermState.DRAFT
    moment = now or timezone.now()
    if moment < _starts_at(term):
        return TermState.OPEN
    return TermState.RUNNING


def term_is_over(term: Term, now: dt.datetime | None = None) -> bool:
    """Whether the term's last day has ended (so an organizer may finish it)."""
    return (now or timezone.now()) >= term_ends_at(term)


def term_require_writable(
    term: Term, *, money: bool = False, now: dt.datetime | None = None
) -> None:
    """Refuse (``TooLateError``) a write to a finished or archived term.

    ``money=True`` is for payments and certificates, which a finished term still takes. The
    stored states are read afresh, so a term object loaded before an organizer finished the term
    (a long command, a worker) cannot write past it.
    """
    stored = Term.objects.filter(pk=term.pk).values_list("finished_at", "archived_at").first()
    finished_at, archived_at = stored if stored is not None else (None, None)
    if archived_at is not None:
        raise TooLateError(ARCHIVED_MESSAGE)
    if finished_at is not None and not money:
        raise TooLateError(FINISHED_MESSAGE)
    state = term_state(term, now)
    if state is TermState.ARCHIVED:
        raise TooLateError(ARCHIVED_MESSAGE)
    if state is TermState.FINISHED and not money:
        raise TooLateError(FINISHED_MESSAGE)


def term_is_listed(term: Term) -> bool:
    """Whether the term appears in public lists (published and not archived)."""
    return term.is_published and term.archived_at is None


# --- Transitions the organizer makes ------------------------------------------------------------


@transaction.atomic
def term_publish(*, term: Term, actor: Any) -> Term:
    """Make a draft term public. Refuses a term that is already published or archived."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.archived_at is not None:
        raise ConflictError("This term is archived; restore it before publishing.")
    if term.is_published:
        raise ConflictError("This term is already published.")
    term.is_published = True
    term.save(update_fields=["is_published"])
    audit_record(actor=actor, action="term.published", target=term)
    return term


@transaction.atomic
def term_unpublish(*, term: Term, actor: Any) -> Term:
    """Take a published term back to draft, only before its first day (nobody relies on it yet)."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term_state(term) is not TermState.OPEN:
        raise ConflictError("Only a published term that has not started can go back to draft.")
    term.is_published = False
    term.save(update_fields=["is_published"])
    audit_record(actor=actor, action="term.unpublished", target=term)
    return term


@transaction.atomic
def term_finish(*, term: Term, actor: Any, now: dt.datetime | None = None) -> Term:
    """Finish a running term after its last day: read-only except money and certificates."""
    moment = now or timezone.now()
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term_state(term, moment) is not TermState.RUNNING:
        raise ConflictError("Only a running term can be finished.")
    if not term_is_over(term, moment):
        raise TooLateError("A term can be finished once its last day is over.")
    term.finished_at = moment
    term.save(update_fields=["finished_at"])
    audit_record(actor=actor, action="term.finished", target=term)
    return term


@transaction.atomic
def term_reopen(*, term: Term, actor: Any) -> Term:
    """Take a finished term back to running, for a correction (audited)."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.archived_at is not None or term.finished_at is None:
        raise ConflictError("Only a finished term can be reopened.")
    term.finished_at = None
    term.save(update_fields=["finished_at"])
    audit_record(actor=actor, action="term.reopened", target=term)
    return term


@transaction.atomic
def term_archive(*, term: Term, actor: Any, now: dt.datetime | None = None) -> Term:
    """Archive a finished (or never published) term: read-only and hidden from every list."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    state = term_state(term, now)
    if state not in (TermState.FINISHED, TermState.DRAFT):
        raise ConflictError("Only a finished term, or a draft, can be archived.")
    term.archived_at = now or timezone.now()
    term.save(update_fields=["archived_at"])
    audit_record(actor=actor, action="term.archived", target=term, details={"was": str(state)})
    return term


@transaction.atomic
def term_unarchive(*, term: Term, actor: Any) -> Term:
    """Bring an archived term back to the state it had (finished stays finished)."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.archived_at is None:
        raise ConflictError("This term is not archived.")
    term.archived_at = None
    term.save(update_fields=["archived_at"])
    audit_record(actor=actor, action="term.unarchived", target=term)
    return term


# --- The one check for every page and API write -------------------------------------------------

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Page namespaces a finished term still takes writes on.
MONEY_NAMESPACES = frozenset({"payments", "certificates"})
# API paths (after /api/v1/terms/<slug>/) a finished term still takes writes on.
MONEY_API_PREFIXES = ("money", "payments", "certificates")
# The state page itself: an archived term must be restorable.
# Copying writes only the new term, so a finished term can still be run again; a failed email
# (a certificate's, a payout's) can still be sent again.
# Erasing a person on their request is owed whatever the term's state.
STATE_URL_NAMES = frozenset({"programs:term_state", "programs:term_copy", "accounts:person_erase"})
# Unlocking a login is about the person's account, not the term's data.
FINISHED_ALLOWED_URL_NAMES = frozenset({"programs:outbox_retry", "accounts:account_unlock"})


# Every address that names a term: its pages (the people pages too) and the API.
TERM_PATH = re.compile(r"^/(?P<prefix>api/v1/)?terms/(?P<slug>[-a-zA-Z0-9_]+)/")


class TermStateMiddleware:
    """Refuse writes to finished and archived terms at every URL that names a term by slug.

    It also opens the email term scope for the request, so the emails a term's pages queue show
    in that term's outbox (``cohortkit.notifications.services.email_term_scope``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = TERM_PATH.match(request.path)
        if found is None:
            return self.get_response(request)
        slug = found.group("slug")
        with email_term_scope(
            lambda: Term.objects.filter(slug=slug).values_list("pk", flat=True).first()
        ):
            return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method not in WRITE_METHODS:
            return None
        found = TERM_PATH.match(request.path)
        match = request.resolver_match
        if found is None or match is None or match.view_name in STATE_URL_NAMES:
            return None
        slug = found.group("slug")
        is_api = found.group("prefix") == "api/v1/"
        term = Term.objects.filter(slug=slug).first()
        if term is None:
            return None
        if is_api:
            rest = request.path.removeprefix(f"/api/v1/terms/{slug}/")
            money = rest.startswith(MONEY_API_PREFIXES)
        else:
            money = bool(set(match.namespaces) & MONEY_NAMESPACES) or (
                match.view_name in FINISHED_ALLOWED_URL_NAMES
            )
        try:
            term_require_writable(term, money=money)
        except TooLateError as refusal:
            if is_api:
                return JsonResponse({"detail": refusal.message}, status=refusal.http_status)
            return refusal_page(request, refusal)
        return None
