"""Money routes of the JSON API: balances and batches for organizers, one's own money for all.

Amounts are decimal strings in the currency's minor digits (``1000.00``), as in the payout files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cohortkit.common.currencies import format_minor
from cohortkit.payments import rules, selectors
from cohortkit.payments.models import PayoutBatch
from cohortkit.programs.selectors import term_get

router = Router(tags=["payments"])


class BalanceOut(Schema):
    email: str
    name: str
    roles: list[str]
    currency: str
    awaiting_approval: str
    approved: str
    in_batches: str
    paid: str


class LineOut(Schema):
    line_key: str | None
    email: str
    kind: str
    amount: str
    status: str
    settled_at: dt.datetime | None


class BatchOut(Schema):
    id: int
    status: str
    currency: str
    total: str | None
    lines: int | None
    sha256: str
    created_at: dt.datetime
    frozen_at: dt.datetime | None
    held_back: list[dict[str, str]]


class BatchDetailOut(BatchOut):
    items: list[LineOut]


class EntryOut(Schema):
    created_at: dt.datetime
    kind: str
    pay_kind: str
    amount: str
    currency: str
    reason: str


class MyMoneyOut(Schema):
    currency: str
    balance: str
    stipend_status: str | None
    stipend_paid_at: dt.datetime | None
    entries: list[EntryOut]


def _batch_out(batch: PayoutBatch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "status": batch.status,
        "currency": batch.currency,
        "total": (
            format_minor(batch.total_minor, batch.currency)
            if batch.total_minor is not None
            else None
        ),
        "lines": batch.line_count,
        "sha256": batch.sha256,
        "created_at": batch.created_at,
        "frozen_at": batch.frozen_at,
        "held_back": batch.held_back,
    }


@router.get(
    "/terms/{slug}/money/balances",
    response=list[BalanceOut],
    summary="Everyone's money in the term (organizers)",
)
def balances(request: HttpRequest, slug: str) -> Any:
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    currency = term.stipend_currency
    return [
        {
            "email": row.user.email,
            "name": row.user.name,
            "roles": row.roles,
            "currency": currency,
            "awaiting_approval": format_minor(row.awaiting_approval, currency),
            "approved": format_minor(row.approved, currency),
            "in_batches": format_minor(row.in_batches, currency),
            "paid": format_minor(row.paid, currency),
        }
        for row in selectors.term_money(term)
    ]


@router.get(
    "/terms/{slug}/money/batches", response=list[BatchOut], summary="The term's payout batches"
)
def batches(request: HttpRequest, slug: str) -> Any:
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    return [_batch_out(batch) for batch in PayoutBatch.objects.filter(term=term)]


@router.get(
    "/terms/{slug}/money/batches/{batch_id}",
    response=BatchDetailOut,
    summary="One payout batch with its lines",
)
def batch_detail(request: HttpRequest, slug: str, batch_id: int) -> Any:
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    batch = get_object_or_404(PayoutBatch, pk=batch_id, term=term)
    return _batch_out(batch) | {
        "items": [
            {
                "line_key": line.line_key if line.number else None,
                "email": line.payee_email or line.payee.email,
                "kind": line.pay_kind,
                "amount": format_minor(line.amount_minor, line.currency),
                "status": line.status,
                "settled_at": line.settled_at,
            }
            for line in batch.lines.select_related("payee").order_by("number", "id")
        ]
    }


@router.get("/terms/{slug}/money/mine", response=MyMoneyOut, summary="Your own money in the term")
def mine(request: HttpRequest, slug: str) -> Any:
    term = term_get(slug=slug)
    roles = rules.require_member(request, term)
    money = selectors.my_money(term, request.user, roles)  # type: ignore[arg-type]
    return {
        "currency": money.currency,
        "balance": format_minor(money.balance, money.currency),
        "stipend_status": money.stipend.code if money.stipend else None,
        "stipend_paid_at": money.stipend.paid_at if money.stipend else None,
        "entries": [
            {
                "created_at": entry.created_at,
                "kind": entry.kind,
                "pay_kind": entry.pay_kind,
                "amount": format_minor(entry.amount_minor, entry.currency),
                "currency": entry.currency,
                "reason": entry.reason,
            }
            for entry in money.entries
        ],
    }
