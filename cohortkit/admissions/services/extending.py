"""Extending deadlines: one person's own deadline, and late-application links (access codes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohortkit.admissions.models import (
    AccessCode,
    AccessCodeUse,
    ApplicationForm,
    DeadlineExtension,
)
from cohortkit.admissions.selectors.applying import deadline_for
from cohortkit.common.errors import ConflictError, InvalidInputError, NotFoundError, TooLateError
from cohortkit.common.services import audit_record
from cohortkit.common.timezones import format_instant
from cohortkit.notifications.emails import email_queue_rendered
from cohortkit.programs.selectors import term_application_deadline

ACCESS_CODE_WITHDRAWN = (
    "This late-application link was withdrawn by the organizers: it no longer opens the form. "
    "Ask them if you think this is a mistake."
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_after_form_deadline(*, form: ApplicationForm, until: dt.datetime, zone: str) -> None:
    original = term_application_deadline(term=form.term, kind=form.kind)
    if until <= original:
        raise InvalidInputError(
            "The new deadline must be after the form's own deadline, "
            f"{format_instant(original, zone or form.term.time_zone)}.",
            field_errors={"until": "Choose a moment after the form's own deadline."},
        )


@transaction.atomic
def extension_grant(
    *, form: ApplicationForm, user: Any, until: dt.datetime, granted_by: Any, reason: str = ""
) -> DeadlineExtension:
    """Give one person their own deadline on a form (replacing an earlier extension).

    Refused unless it is later than the form's own deadline: an earlier one would close the form
    for them sooner, which an extension never means.
    """
    _require_after_form_deadline(form=form, until=until, zone=getattr(granted_by, "time_zone", ""))
    extension, _ = DeadlineExtension.objects.update_or_create(
        form=form,
        user=user,
        defaults={"until": until, "granted_by": granted_by, "reason": reason},
    )
    audit_record(
        actor=granted_by,
        action="deadline.extended",
        target=extension,
        details={"until": until.isoformat(), "user": user.email},
    )
    return extension


@transaction.atomic
def access_code_create(
    *,
    form: ApplicationForm,
    until: dt.datetime,
    expires_at: dt.datetime,
    max_uses: int,
    created_by: Any,
    label: str = "",
) -> tuple[AccessCode, str]:
    """Make a late-application link; returns the code and its secret (shown once, as a URL)."""
    if max_uses < 1:
        raise InvalidInputError("A code must allow at least one use.")
    _require_after_form_deadline(form=form, until=until, zone=getattr(created_by, "time_zone", ""))
    token = secrets.token_urlsafe(16)
    code = AccessCode.objects.create(
        form=form,
        code_hash=_digest(token),
        label=label,
        until=until,
        expires_at=expires_at,
        max_uses=max_uses,
        created_by=created_by,
    )
    audit_record(actor=created_by, action="access_code.created", target=code)
    return code, token


@transaction.atomic
def access_code_redeem(*, token: str, user: Any, now: dt.datetime | None = None) -> AccessCode:
    """Attach a late-application code to the signed-in person; using it again is harmless."""
    moment = now or timezone.now()
    code = AccessCode.objects.select_for_update().filter(code_hash=_digest(token)).first()
    if code is None:
        raise NotFoundError("This link is not valid.")
    if code.revoked_at is not None:
        raise TooLateError(ACCESS_CODE_WITHDRAWN)
    if AccessCodeUse.objects.filter(code=code, user=user).exists():
        return code
    if code.expires_at <= moment:
        raise TooLateError("This link has expired. Ask the organizers for a new one.")
    if code.uses.count() >= code.max_uses:
        raise ConflictError("This link has been used as many times as it allows.")
    AccessCodeUse.objects.create(code=code, user=user)
    audit_record(actor=user, action="access_code.used", target=code)
    return code


@transaction.atomic
def extension_revoke(*, form: ApplicationForm, extension_id: int, actor: Any) -> bool:
    """Take back one person's own deadline on ``form``: the form's deadline (or a late link's)
    is theirs again. Audited and the person emailed their deadline now (once); returns whether
    an extension was taken back (a second click of the same button finds none and changes
    nothing)."""
    extension = (
        DeadlineExtension.objects.select_for_update()
        .select_related("user")
        .filter(pk=extension_id, form=form)
        .first()
    )
    if extension is None:
        return False
    person = extension.user
    audit_record(
        actor=actor,
        action="deadline.extension_revoked",
        target=person,
        term=form.term,
        details={"form": form.kind, "until": extension.until.isoformat()},
    )
    key = f"extension-revoked:{extension.pk}"
    until = extension.until
    extension.delete()
    deadline = deadline_for(form=form, user=person)
    zone = getattr(person, "time_zone", "") or form.term.time_zone
    email_queue_rendered(
        to=person.email,
        template="admissions/extension_revoked",
        context={
            "name": person.name or person.email,
            "term": form.term,
            "form_title": form.title,
            "until": format_instant(until, zone),
            "deadline": format_instant(deadline.instant, zone),
            "closed": not deadline.is_open(timezone.now()),
            "link": settings.SITE_URL
            + reverse("admissions:apply", args=[form.term.slug, form.kind]),
        },
        idempotency_key=key,
    )
    return True


@transaction.atomic
def access_code_revoke(*, form: ApplicationForm, code_id: int, actor: Any) -> AccessCode:
    """Withdraw a late-application link: it opens nothing any more, and the people who used it
    are back to the form's deadline (or their own extension). Audited; withdrawing it again
    changes nothing."""
    code = AccessCode.objects.select_for_update().filter(pk=code_id, form=form).first()
    if code is None:
        raise NotFoundError("No such late-application link on this form.")
    if code.revoked_at is None:
        code.revoked_at = timezone.now()
        code.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="access_code.revoked",
            target=code,
            details={"uses": code.uses.count()},
        )
    return code
