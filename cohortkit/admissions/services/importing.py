"""Importing submitted applications, from rows or from a CSV file (a spreadsheet, a form tool's
export, or our own export).

A dry run reads the whole file and lists every problem of every row; the import writes nothing
unless there are none. The file needs an ``email`` column; ``name`` and ``submitted_at`` are used
when present; every other column must be a question key of the form, or ``answer:<key>`` (the
columns our own export adds, such as ``score`` or ``decision``, are ignored; a question whose key
is one of those names, such as ``track``, is exported as ``answer:track``), so our own export
imports as it is. Cells that our export protected from being
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
from cohortkit.admissions.answers import parse_answer
from cohortkit.admissions.conditions import shown_question_keys
from cohortkit.admissions.models import (
    Answer,
    Application,
    ApplicationForm,
    ApplicationStatus,
)
from cohortkit.admissions.selectors.exporting import (
    ANSWER_COLUMN_PREFIX,
    FIXED_COLUMNS,
)
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.common.spreadsheets import spreadsheet_unprotect


@dataclass(frozen=True)
class ImportRow:
    """One application to import: who, their raw answers by question key, when it was submitted."""

    user: Any
    raw_answers: dict[str, str]
    submitted_at: dt.datetime


@dataclass(frozen=True)
class ImportProblem:
    row: int  # 1-based, as a spreadsheet numbers data rows
    key: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.key}: {self.message}"


def applications_import_check(
    *, form: ApplicationForm, rows: list[ImportRow]
) -> list[ImportProblem]:
    """Every problem of every row (a dry run): unknown questions, unreadable or missing answers.

    The form's conditional rule applies as on the page: a question the row's own answers do not
    show is neither required nor read (its cell, if any, is not imported).
    """
    questions = list(form.questions.all())
    known = {question.key for question in questions}
    problems: list[ImportProblem] = []
    for number, row in enumerate(rows, start=1):
        for key in sorted(set(row.raw_answers) - known):
            problems.append(ImportProblem(number, key, "no such question on this form"))
        shown = shown_question_keys(questions, row.raw_answers)
        for question in questions:
            if question.key not in shown:
                continue
            raw = row.raw_answers.get(question.key, "")
            parsed = parse_answer(question, raw, number_format=form.term.number_format)
            if parsed.error:
                problems.append(ImportProblem(number, question.key, parsed.error))
            elif question.required and parsed.is_empty:
                problems.append(ImportProblem(number, question.key, "needs an answer"))
    return problems


@transaction.atomic
def applications_import(*, form: ApplicationForm, rows: list[ImportRow], actor: Any = None) -> int:
    """Import submitted applications all together or not at all; returns how many were new.

    People who already have an application on the form are skipped (so importing the same file
    twice adds nothing). No confirmation emails: the applications were made elsewhere.
    """
    problems = applications_import_check(form=form, rows=rows)
    if problems:
        raise InvalidInputError(
            f"Nothing was imported: {len(problems)} problem(s).",
            field_errors={f"row {p.row}, {p.key}": p.message for p in problems},
        )
    questions = list(form.questions.all())
    existing = set(Application.objects.filter(form=form).values_list("applicant_id", flat=True))
    new_rows = [row for row in rows if row.user.pk not in existing]
    applications = Application.objects.bulk_create(
        Application(
            form=form,
            applicant=row.user,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=row.submitted_at,
            revision=1,
        )
        for row in new_rows
    )
    if not all(application.pk for application in applications):
        # Some databases do not return keys from bulk inserts; read them back.
        by_user = dict(Application.objects.filter(form=form).values_list("applicant_id", "pk"))
        for application in applications:
            application.pk = by_user[application.applicant_id]
    answers = []
    for application, row in zip(applications, new_rows, strict=True):
        shown = shown_question_keys(questions, row.raw_answers)
        for question in questions:
            if question.key not in shown:
                continue  # a hidden question keeps no answer, as on the page
            raw = row.raw_answers.get(question.key, "")
            parsed = parse_answer(question, raw, number_format=form.term.number_format)
            answers.append(
                Answer(
                    application=application,
                    question=question,
                    raw=raw,
                    number=parsed.number,
                    value=parsed.value,
                )
            )
    Answer.objects.bulk_create(answers, batch_size=1000)
    if new_rows:
        audit_record(
            actor=actor,
            action="applications.imported",
            target=form,
            details={"count": len(new_rows)},
        )
    return len(new_rows)


# Our export's own columns: email, name and submitted_at are read, the others (rank, score,
# decision…) are ignored.
OWN_COLUMNS = set(FIXED_COLUMNS)


MAX_ROWS = 20_000


@dataclass
class CsvPlan:
    """What a file would import, and every problem found in it (row numbers as in a spreadsheet,
    the header being row 1)."""

    rows: list[ImportRow] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    new_people: int = 0


def _submitted_at(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2022-09-20T18:00:00Z")
    return moment


def _answer_columns(header: list[str], keys: set[str]) -> tuple[dict[int, str], list[str]]:
    """Which columns hold which question's answers, and the header's problems.

    ``answer:<key>`` is always a question's column (our export writes it so when the key is also
    one of its own column names, such as ``track``); a bare column is a question's when the form
    has that key and no ``answer:`` column for it, else one of our export's own columns.
    """
    columns: dict[int, str] = {}
    problems: list[str] = []
    for index, column in enumerate(header):
        if column.startswith(ANSWER_COLUMN_PREFIX):
            key = column[len(ANSWER_COLUMN_PREFIX) :]
            if key in keys:
                columns[index] = key
            else:
                problems.append(f"row 1, column {column}: no such question on this form")
        elif column in keys and ANSWER_COLUMN_PREFIX + column not in header:
            columns[index] = column
        elif column and column not in OWN_COLUMNS:
            problems.append(f"row 1, column {column}: no such question on this form")
    for column in sorted({column for column in header if column and header.count(column) > 1}):
        problems.append(f"row 1, column {column}: appears more than once")
    return columns, problems


def applications_csv_plan(*, form: ApplicationForm, text: str) -> CsvPlan:
    """Read the file and check every row against the form, writing nothing.

    Every problem of every row is listed (a row with a bad email, a bad date and three bad
    answers gets five), in row order.
    """
    plan = CsvPlan()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [column.strip() for column in next(reader, [])]
    if "email" not in header:
        plan.problems.append("row 1: the file needs an email column")
        return plan
    keys = set(form.questions.values_list("key", flat=True))
    answer_columns, header_problems = _answer_columns(header, keys)
    plan.problems.extend(header_problems)
    email_index = header.index("email")
    lines = list(enumerate(reader, start=2))
    emails = [cells[email_index].strip().lower() for _, cells in lines if len(cells) == len(header)]
    existing = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
    seen: dict[str, int] = {}
    now = timezone.now()
    # Each readable row: its number, what it would import, its own problems, whether it can be
    # imported apart from its answers (a readable, new email and submission time).
    checked: list[tuple[int, ImportRow, list[str], bool]] = []
    for number, cells in lines:
        if number > MAX_ROWS + 1:
            plan.problems.append(f"more than {MAX_ROWS} rows: split the file")
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            plan.problems.append(f"row {number}: {len(cells)} cells, the header has {len(header)}")
            continue
        cells = [spreadsheet_unprotect(cell) for cell in cells]
        own = {
            column: cell
            for index, (column, cell) in enumerate(zip(header, cells, strict=True))
            if index not in answer_columns or column in OWN_COLUMNS
        }
        problems: list[str] = []
        email = own["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"row {number}, email: “{own['email']}” is not an email address")
            email = ""
        if email and email in seen:
            problems.append(f"row {number}, email: {email} is already on row {seen[email]}")
            email = ""
        elif email:
            seen[email] = number
        submitted_at = now
        if own.get("submitted_at", "").strip():
            try:
                submitted_at = _submitted_at(own["submitted_at"])
            except ValueError as error:
                problems.append(f"row {number}, submitted_at: {error}")
        name = own.get("name", "").strip()
        user = existing.get(email) if email else None
        if email and user is None:
            user = User(email=email, name=name, time_zone="UTC")
        answers = {key: cells[index] for index, key in answer_columns.items()}
        checked.append(
            (
                number,
                ImportRow(user=user, raw_answers=answers, submitted_at=submitted_at),
                problems,
                not problems,
            )
        )
    for problem in applications_import_check(form=form, rows=[row for _, row, _, _ in checked]):
        number, _, problems, _ = checked[problem.row - 1]
        problems.append(f"row {number}, {problem.key}: {problem.message}")
    for _, row, problems, importable in checked:
        plan.problems.extend(problems)
        if importable:
            if row.user.pk is None:
                plan.new_people += 1
            plan.names[row.user.email] = row.user.name
            plan.rows.append(row)
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
