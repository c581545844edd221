"""The payout files of a frozen batch (``../shared/contracts/payouts.md``; sources in
``docs/payments.md``).

Every file is made from the frozen lines only (names and emails as they were at freezing), with
``\\r\\n`` line ends and no timestamp, so the same batch always gives the same bytes.

- ``csv``: ``line_key,payee_name,payee_email,kind,amount,currency,term,reference``.
- ``paypal``: PayPal Payouts' batch file: no header; recipient email, amount, currency, the line
  key as the customer (item) id, a note to the recipient, and ``PAYPAL`` as the wallet.
- ``wise``: Wise's "Send by email" batch template (``name,recipientEmail,paymentReference,
  receiverType,amountCurrency,amount,sourceCurrency,targetCurrency``): the payee enters their
  own bank details at Wise, so cohortkit never stores any. The line key is the payment
  reference.
"""

from __future__ import annotations

import csv
import io

from cohortkit.common.currencies import format_minor
from cohortkit.common.errors import ConflictError
from cohortkit.common.spreadsheets import spreadsheet_safe
from cohortkit.payments.models import BatchStatus, PayKind, PayoutBatch

FORMATS = ("csv", "paypal", "wise")
CSV_HEADER = [
    "line_key",
    "payee_name",
    "payee_email",
    "kind",
    "amount",
    "currency",
    "term",
    "reference",
]
WISE_HEADER = [
    "name",
    "recipientEmail",
    "paymentReference",
    "receiverType",
    "amountCurrency",
    "amount",
    "sourceCurrency",
    "targetCurrency",
]
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "paypal": "text/csv; charset=utf-8"}


class NotExportableError(ConflictError):
    """The batch is still a draft (or the format is unknown): a refusal of the common family."""


def _reference(batch: PayoutBatch, kind: str) -> str:
    label = PayKind(kind).label if kind in PayKind.values else kind
    return f"{batch.term.name} {label.lower()}"


def export_filename(batch: PayoutBatch, file_format: str) -> str:
    return f"payout-{batch.term.slug}-batch-{batch.pk}-{file_format}.csv"


def batch_export(batch: PayoutBatch, file_format: str) -> bytes:
    """The bytes of ``batch`` in ``file_format``; the same every time."""
    if file_format not in FORMATS:
        raise NotExportableError(f"unknown format {file_format!r}; use one of {', '.join(FORMATS)}")
    if batch.status == BatchStatus.DRAFT:
        raise NotExportableError(f"batch {batch.pk} is not frozen yet")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines = list(batch.lines.order_by("number"))
    if file_format == "csv":
        writer.writerow(CSV_HEADER)
        for line in lines:
            writer.writerow(
                [
                    line.line_key,
                    spreadsheet_safe(line.payee_name),
                    spreadsheet_safe(line.payee_email),
                    line.pay_kind,
                    format_minor(line.amount_minor, line.currency),
                    line.currency,
                    batch.term.slug,
                    spreadsheet_safe(_reference(batch, line.pay_kind)),
                ]
            )
    elif file_format == "paypal":
        for line in lines:
            writer.writerow(
                [
                    line.payee_email,
                    format_minor(line.amount_minor, line.currency),
                    line.currency,
                    line.line_key,
                    spreadsheet_safe(_reference(batch, line.pay_kind)),
                    "PAYPAL",
                ]
            )
    else:
        writer.writerow(WISE_HEADER)
        for line in lines:
            writer.writerow(
                [
                    spreadsheet_safe(line.payee_name or line.payee_email),
                    line.payee_email,
                    line.line_key,
                    "PERSON",
                    "target",
                    format_minor(line.amount_minor, line.currency),
                    line.currency,
                    line.currency,
                ]
            )
    return buffer.getvalue().encode("utf-8")
