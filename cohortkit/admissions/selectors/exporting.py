"""CSV export of a form's applications, their answers, scores and decisions.

Safe to open in a spreadsheet: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be read as a formula (and could run one), so it gets a leading ``'``, which
spreadsheets show as text. Plain numbers such as ``-5`` or ``+1.5e3`` cannot run anything and stay
numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence

from cohortkit.admissions.models import ApplicationForm, FormQuestion
from cohortkit.admissions.selectors.ranking import RankedRow
from cohortkit.common.spreadsheets import spreadsheet_safe

# A question whose key is also one of our own columns below (a question called ``track``) is
# written as ``answer:track``; no question key holds a colon, so the file reads back unambiguously.
ANSWER_COLUMN_PREFIX = "answer:"


FIXED_COLUMNS = [
    "rank",
    "email",
    "name",
    "submitted_at",
    "score",
    "reviews",
    "decision",
    "track",
    "waitlist_rank",
    "released_at",
]


def answer_column(key: str) -> str:
    """The column of a question's answers: its key, unless one of our own columns has that name."""
    return ANSWER_COLUMN_PREFIX + key if key in FIXED_COLUMNS else key


def _instant(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else ""


def ranking_csv_lines(
    *, form: ApplicationForm, questions: Sequence[FormQuestion], rows: Iterable[RankedRow]
) -> Iterator[str]:
    """The CSV, a line at a time: the fixed columns, then one column per question key holding
    the answer as the person typed it (so the file can be imported again)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return buffer.getvalue()

    yield line(FIXED_COLUMNS + [answer_column(question.key) for question in questions])
    for row in rows:
        decision = row.decision
        cells: list[object] = [
            row.rank,
            row.applicant.email,
            row.applicant.name,
            _instant(row.application.submitted_at),
            "" if row.score is None else f"{row.score:.1f}",
            row.reviews,
            decision.outcome if decision else "",
            decision.track.slug if decision and decision.track else "",
            decision.waitlist_rank if decision and decision.waitlist_rank else "",
            _instant(decision.released_at) if decision else "",
        ]
        for question in questions:
            answer = row.answers.get(question.key)
            cells.append(answer.raw if answer else "")
        yield line(cells)
