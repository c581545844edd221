"""The admissions app's share of a person's data, and the anonymising of old applications.

Erasing a person deletes their answers (what they wrote about themselves) and the deadline
extensions and access codes they used; the applications stay as rows (status, reviews, decisions
and the waitlist others were ranked on), pointing at the anonymised person. Retention
(``applications_anonymise_expired``) goes further for people never admitted: each application
is moved to a new person row that is nobody, so not even the account of an applicant who stays
on the site says they once applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cohortkit.accounts.models import Membership, Role
from cohortkit.accounts.personal_data import ERASED_EMAIL_DOMAIN, person_tombstone_create
from cohortkit.admissions.models import (
    AccessCode,
    AccessCodeUse,
    Answer,
    Application,
    DeadlineExtension,
    Decision,
    Enrollment,
    Review,
    ReviewAssignment,
    ReviewerConflict,
)
from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
    rows_where,
)
from cohortkit.common.services import audit_record
from cohortkit.programs.models import Term
from cohortkit.programs.states import term_ends_at


def _extra_rows(user: Any) -> dict[str, list[dict[str, Any]]]:
    return {"admissions.Answer": rows_where(Answer, application__applicant=user)}


def _erase(context: ErasureContext) -> None:
    user = context.user
    counts = context.counts
    counts["application_answers"] = Answer.objects.filter(application__applicant=user).delete()[0]
    counts["deadline_extensions"] = DeadlineExtension.objects.filter(user=user).delete()[0]
    counts["access_code_uses"] = AccessCodeUse.objects.filter(user=user).delete()[0]
    ReviewerConflict.objects.filter(applicant=user).delete()


def register_admissions_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="admissions",
            models={
                Application: ("applicant",),
                DeadlineExtension: ("user", "granted_by"),
                AccessCode: ("created_by",),
                AccessCodeUse: ("user",),
                ReviewAssignment: ("reviewer", "assigned_by"),
                ReviewerConflict: ("reviewer", "applicant", "declared_by"),
                Review: ("reviewer",),
                Decision: ("staged_by",),
                Enrollment: ("user",),
            },
            extra_rows=_extra_rows,
            eraser=_erase,
        )
    )


# --- Retention ------------------------------------------------------------------------------------


def months_after(instant: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` later (the month's last day when it is shorter)."""
    index = instant.month - 1 + months
    year, month = instant.year + index // 12, index % 12 + 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return instant.replace(year=year, month=month, day=min(instant.day, last_day))


def _expired_terms(now: dt.datetime) -> list[Term]:
    return [
        term
        for term in Term.objects.filter(ends_on__lt=now.date())
        if months_after(term_ends_at(term), term.retention_months) <= now
    ]


@transaction.atomic
def application_anonymise(*, application: Application) -> None:
    """Move one application (its enrollment row too) to a new nobody, its answers deleted."""
    person = application.applicant
    term_id = application.form.term_id
    tombstone = person_tombstone_create()
    Answer.objects.filter(application=application).delete()
    DeadlineExtension.objects.filter(form_id=application.form_id, user=person).delete()
    ReviewerConflict.objects.filter(term_id=term_id, applicant=person).delete()
    Enrollment.objects.filter(term_id=term_id, user=person, role=application.form.kind).update(
        user=tombstone
    )
    Application.objects.filter(pk=application.pk).update(applicant=tombstone)
    audit_record(actor=None, action="application.anonymised", target=application)


def applications_anonymise_expired(*, now: dt.datetime | None = None) -> int:
    """The periodic job: anonymise the applications of people never admitted to a term whose
    retention (``Term.retention_months`` after its last day) is over. Idempotent: an anonymised
    application points at a nobody and is skipped next time."""
    moment = now or timezone.now()
    count = 0
    for term in _expired_terms(moment):
        admitted = Membership.objects.filter(
            term=term,
            user=OuterRef("applicant"),
            role__in=[Role.PARTICIPANT, Role.FACILITATOR],
        )
        expired = (
            Application.objects.filter(form__term=term)
            .exclude(applicant__email__endswith=f"@{ERASED_EMAIL_DOMAIN}")
            .exclude(Exists(admitted))
            .select_related("form", "applicant")
        )
        for application in expired:
            application_anonymise(application=application)
            count += 1
    return count
