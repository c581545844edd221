"""The rules of money that reads and writes share: how pay is rounded, a facilitator's rate
and the meetings they led, the term's currency, the balances, the tax-form hold and a frozen
batch's fingerprint.

The one rounding rule for pay: a timesheet's pay is ``minutes × rate per hour / 60`` computed on
the week's total minutes in integers and rounded half up to the nearest minor unit, once per
timesheet (``pay_for_minutes``). Nothing is rounded per meeting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Sum

from cohortkit.accounts.models import User
from cohortkit.common.currencies import (
    CURRENCIES,
    format_minor,
    format_money,
    parse_major,
)
from cohortkit.common.errors import (
    InvalidInputError,
)
from cohortkit.payments.models import (
    EntryKind,
    FacilitatorRate,
    LedgerEntry,
    PayKind,
    PayoutBatch,
    TaxFormReceipt,
)
from cohortkit.programs.models import Term
from cohortkit.sections.models import Meeting


def pay_for_minutes(minutes: int, rate_minor_per_hour: int) -> int:
    """Pay for ``minutes`` at an hourly rate, in minor units, rounded half up (the one rule)."""
    if minutes < 0 or rate_minor_per_hour < 0:
        raise InvalidInputError("Minutes and rate cannot be negative.")
    return (minutes * rate_minor_per_hour + 30) // 60


def term_currency(term: Term) -> str:
    if term.stipend_currency not in CURRENCIES:
        raise InvalidInputError(
            f"The term's currency “{term.stipend_currency}” is not an ISO 4217 code; fix it in "
            "the term settings first.",
            field_errors={"stipend_currency": "Not an ISO 4217 code."},
        )
    return term.stipend_currency


def rate_for(term: Term, user: User) -> int:
    own = FacilitatorRate.objects.filter(term=term, user=user).first()
    return own.rate_minor if own else term.facilitator_rate_cents


def meetings_led(*, term: Term, user: User, week: int) -> list[Meeting]:
    """The meetings ``user`` led in week ``week``: handed to them, or their section's and not
    handed to someone else."""
    return list(
        Meeting.objects.filter(section__term=term, week=week)
        .filter(models.Q(led_by=user) | models.Q(led_by__isnull=True, section__facilitator=user))
        .select_related("section")
        .order_by("starts_at", "id")
    )


def meeting_minutes(meeting: Meeting) -> int:
    return int((meeting.ends_at - meeting.starts_at).total_seconds()) // 60


def facilitator_accrued(term: Term, user: User) -> int:
    return (
        LedgerEntry.objects.filter(term=term, payee=user, pay_kind=PayKind.FACILITATOR_PAY)
        .exclude(kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL])
        .aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )


def tax_threshold() -> tuple[int, str]:
    """The site's tax-form threshold as (minor units, currency), from ``settings``."""
    amount_text, _, currency = str(settings.PAYMENTS_TAX_FORM_THRESHOLD).strip().partition(" ")
    currency = currency.strip().upper() or "USD"
    return parse_major(amount_text, currency), currency


def balances(term: Term) -> dict[tuple[int, str, str], int]:
    """Every balance of the term: (payee id, currency, kind) → sum of its entries."""
    rows = (
        LedgerEntry.objects.filter(term=term)
        .values("payee_id", "currency", "pay_kind")
        .annotate(total=Sum("amount_minor"))
    )
    return {(row["payee_id"], row["currency"], row["pay_kind"]): row["total"] for row in rows}


def _year_window(year: int) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC), dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)


def year_paid_out(*, user_id: int, currency: str, year: int) -> int:
    """What went out to a payee in a calendar year in ``currency`` (payments less reversals),
    across every term: the total the tax-form rule looks at."""
    return years_paid_out(user_ids=[user_id], currency=currency, year=year).get(user_id, 0)


def years_paid_out(*, user_ids: list[int], currency: str, year: int) -> dict[int, int]:
    """``year_paid_out`` of several payees at once (payee id → amount; absent is 0): one query."""
    start, end = _year_window(year)
    rows = (
        LedgerEntry.objects.filter(
            payee_id__in=user_ids,
            currency=currency,
            kind__in=[EntryKind.PAYMENT, EntryKind.REVERSAL],
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("payee_id")
        .annotate(total=Sum("amount_minor"))
    )
    return {row["payee_id"]: -(row["total"] or 0) for row in rows}


def tax_hold_reason(*, user_id: int, currency: str, amount: int, year: int) -> str:
    """Why a line of ``amount`` may not be frozen for this payee this year ("" if it may)."""
    return tax_hold_reasons(lines=[(user_id, currency, amount)], year=year)[0]


def tax_hold_reasons(*, lines: list[tuple[int, str, int]], year: int) -> list[str]:
    """``tax_hold_reason`` of each (payee id, currency, amount) of ``lines``, in their order:
    at most two queries however many lines."""
    threshold, threshold_currency = tax_threshold()
    concerned = [user_id for user_id, currency, _ in lines if currency == threshold_currency]
    if not concerned:
        return ["" for _ in lines]
    paid = years_paid_out(user_ids=concerned, currency=threshold_currency, year=year)
    reaching = {
        user_id
        for user_id, currency, amount in lines
        if currency == threshold_currency and paid.get(user_id, 0) + amount >= threshold
    }
    with_form = set(
        TaxFormReceipt.objects.filter(user_id__in=reaching, year=year).values_list(
            "user_id", flat=True
        )
        if reaching
        else []
    )
    reasons = []
    for user_id, currency, amount in lines:
        total = paid.get(user_id, 0) + amount
        if currency != threshold_currency or total < threshold or user_id in with_form:
            reasons.append("")
            continue
        reasons.append(
            f"needs a tax form for {year}: payouts this year would reach "
            f"{format_money(total, currency)} (threshold {format_money(threshold, currency)})"
        )
    return reasons


def canonical_lines(batch: PayoutBatch) -> list[dict[str, Any]]:
    """The frozen lines as plain data, in line order: what the SHA-256 covers."""
    return [
        {
            "line_key": line.line_key,
            "payee_id": line.payee_id,
            "payee_name": line.payee_name,
            "payee_email": line.payee_email,
            "kind": line.pay_kind,
            "amount": format_minor(line.amount_minor, line.currency),
            "currency": line.currency,
            "term": batch.term.slug,
        }
        for line in batch.lines.order_by("number")
    ]


def canonical_sha256(batch: PayoutBatch) -> str:
    text = json.dumps(canonical_lines(batch), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
