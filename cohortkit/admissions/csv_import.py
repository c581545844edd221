"""Applications from a CSV file (a spreadsheet, a form tool's export, or our own export).

A dry run reads the whole file and lists every problem of every row; the import writes nothing
unless there are none. The file needs an ``email`` column; ``name`` and ``submitted_at`` are used
when present; every other column must be a question key of the form (the columns our own export
adds, such as ``score`` or ``decision``, are ignored). Cells that our export protected from being
read as formulas (a leading ``'`` before ``=``, ``+``, ``-``, ``@``) are read back as typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.admissions.export import FIXED_COLUMNS, FORMULA_STARTS
from cohortkit.admissions.models import ApplicationForm
from cohortkit.admissions.services import (
    ImportRow,
    applications_import,
    applications_import_check,
)

IGNORED_COLUMNS = set(FIXED_COLUMNS) - {"email", "name", "submitted_at"}
MAX_ROWS = 20_000


@dataclass
class CsvPlan:
    """What a file would import, and every problem found in it (row numbers as in a spreadsheet,
    the header being row 1)."""

    rows: list[ImportRow] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    new_people: int = 0


def _unprotect(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _submitted_at(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2022-09-20T18:00:00Z")
    return moment


def applications_csv_plan(*, form: ApplicationForm, text: str) -> CsvPlan:
    """Read the file and check every row against the form, writing nothing."""
    plan = CsvPlan()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [column.strip() for column in next(reader, [])]
    if "email" not in header:
        plan.problems.append("row 1: the file needs an email column")
        return plan
    keys = set(form.questions.values_list("key", flat=True))
    for column in header:
        if (
            column
            and column not in keys
            and column not in IGNORED_COLUMNS | {"email", "name", "submitted_at"}
        ):
            plan.problems.append(f"row 1, column {column}: no such question on this form")
    duplicate_columns = {column for column in header if header.count(column) > 1}
    for column in sorted(duplicate_columns):
        plan.problems.append(f"row 1, column {column}: appears more than once")
    lines = list(enumerate(reader, start=2))
    emails = [
        cells[header.index("email")].strip().lower()
        for _, cells in lines
        if len(cells) == len(header)
    ]
    existing = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
    seen: dict[str, int] = {}
    now = timezone.now()
    for number, cells in lines:
        if number > MAX_ROWS + 1:
            plan.problems.append(f"more than {MAX_ROWS} rows: split the file")
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            plan.problems.append(f"row {number}: {len(cells)} cells, the header has {len(header)}")
            continue
        record = {column: _unprotect(cell) for column, cell in zip(header, cells, strict=True)}
        email = record["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            plan.problems.append(
                f"row {number}, email: “{record['email']}” is not an email address"
            )
            continue
        if email in seen:
            plan.problems.append(f"row {number}, email: {email} is already on row {seen[email]}")
            continue
        seen[email] = number
        submitted_at = now
        if record.get("submitted_at", "").strip():
            try:
                submitted_at = _submitted_at(record["submitted_at"])
            except ValueError as error:
                plan.problems.append(f"row {number}, submitted_at: {error}")
                continue
        user = existing.get(email)
        if user is None:
            plan.new_people += 1
            user = User(email=email, name=record.get("name", "").strip(), time_zone="UTC")
        plan.names[email] = record.get("name", "").strip()
        answers = {key: value for key, value in record.items() if key in keys}
        plan.rows.append(ImportRow(user=user, raw_answers=answers, submitted_at=submitted_at))
    answer_problems = applications_import_check(form=form, rows=plan.rows)
    for problem in answer_problems:
        row_number = seen[plan.rows[problem.row - 1].user.email]
        plan.problems.append(f"row {row_number}, {problem.key}: {problem.message}")
    return plan


@transaction.atomic
def applications_csv_import(*, form: ApplicationForm, text: str, actor: Any = None) -> CsvPlan:
    """Import the file if it has no problems at all; returns the plan (check ``problems``).

    People without an account get one (no password: they set one with "forgot password").
    People who already have an application on the form are left as they are.
    """
    plan = applications_csv_plan(form=form, text=text)
    if plan.problems:
        return plan
    new_users = [row.user for row in plan.rows if row.user.pk is None]
    for user in new_users:
        user.set_unusable_password()
    User.objects.bulk_create(new_users)
    by_email = {
        user.email: user
        for user in User.objects.filter(email__in=[row.user.email for row in plan.rows])
    }
    rows = [
        ImportRow(
            user=by_email[row.user.email],
            raw_answers=row.raw_answers,
            submitted_at=row.submitted_at,
        )
        for row in plan.rows
    ]
    applications_import(form=form, rows=rows, actor=actor)
    return plan
