"""An organizer sets the term's pay settings and a facilitator's own hourly rate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role, User
from cohortkit.common.currencies import (
    MAX_MINOR_UNITS,
)
from cohortkit.common.errors import (
    InvalidInputError,
    NotFoundError,
)
from cohortkit.common.services import audit_record
from cohortkit.payments import rules
from cohortkit.payments.models import (
    FacilitatorRate,
    PaySettings,
)
from cohortkit.payments.services.ledger import pay_settings_for
from cohortkit.programs.models import Term


@transaction.atomic
def pay_settings_update(
    *,
    term: Term,
    actor: User,
    prep_minutes_cap_per_week: int,
    facilitator_cap_minor: int | None,
    four_eyes: bool,
) -> PaySettings:
    rules.require_organizer_actor(actor, term)
    errors: dict[str, str] = {}
    if not 0 <= prep_minutes_cap_per_week <= 40 * 60:
        errors["prep_hours_cap"] = "Between 0 and 40 hours a week."
    if facilitator_cap_minor is not None and not 0 < facilitator_cap_minor <= MAX_MINOR_UNITS:
        errors["facilitator_cap"] = "A positive amount, or leave it empty for no cap."
    if errors:
        raise InvalidInputError("Nothing was saved: fix the fields marked.", field_errors=errors)
    settings = pay_settings_for(term)
    settings.prep_minutes_cap_per_week = prep_minutes_cap_per_week
    settings.facilitator_cap_minor = facilitator_cap_minor
    settings.four_eyes = four_eyes
    settings.save()
    audit_record(actor=actor, action="pay.settings_updated", target=settings)
    return settings


@transaction.atomic
def facilitator_rate_set(
    *, term: Term, user: User, rate_minor: int | None, actor: User
) -> FacilitatorRate | None:
    """Set (or with ``None`` clear) a facilitator's own hourly rate; later approvals use it."""
    rules.require_organizer_actor(actor, term)
    if Role.FACILITATOR not in account_rules.term_roles(user, term):
        raise NotFoundError("That person is not a facilitator of this term.")
    if rate_minor is None:
        FacilitatorRate.objects.filter(term=term, user=user).delete()
        audit_record(actor=actor, action="pay.rate_cleared", target=user, details={})
        return None
    if not 0 <= rate_minor <= MAX_MINOR_UNITS:
        raise InvalidInputError("Enter a rate.", field_errors={"rate": "Out of range."})
    rate, _ = FacilitatorRate.objects.update_or_create(
        term=term,
        user=user,
        defaults={"rate_minor": rate_minor, "set_by": actor, "set_at": timezone.now()},
    )
    audit_record(actor=actor, action="pay.rate_set", target=rate, details={"rate": rate_minor})
    return rate
