"""The payments app's share of a person's data: eligibility, completions, rates, timesheets,
ledger entries, payout lines and tax-form receipts.

Erasing keeps every amount: the ledger is append-only (its triggers refuse any UPDATE or DELETE)
and is never touched; its rows reference the person row, which the accounts part anonymises, so
``cohortkit ledger check`` still reconciles and the payee reads as nobody. Payout lines keep a
copy of the payee's name and address for the bank file; those copies are anonymised.
"""

from __future__ import annotations

from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
)
from cohortkit.payments.models import (
    FacilitatorRate,
    LedgerEntry,
    PayoutBatch,
    PayoutLine,
    StipendCompletion,
    StipendEligibility,
    TaxFormReceipt,
    Timesheet,
)


def _erase(context: ErasureContext) -> None:
    user = context.user
    context.counts["payout_line_copies"] = PayoutLine.objects.filter(payee=user).update(
        payee_name="Erased person", payee_email=f"erased-{user.pk}@erased.invalid"
    )
    StipendEligibility.objects.filter(user=user).update(note="")


def register_payments_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(
            key="payments",
            models={
                StipendEligibility: ("user", "decided_by"),
                StipendCompletion: ("user", "recorded_by"),
                FacilitatorRate: ("user", "set_by"),
                Timesheet: ("facilitator", "decided_by"),
                LedgerEntry: ("payee", "created_by", "approved_by"),
                PayoutBatch: ("created_by", "frozen_by", "reconciled_by"),
                PayoutLine: ("payee", "settled_by"),
                TaxFormReceipt: ("user", "recorded_by"),
            },
            eraser=_erase,
        )
    )
