"""Who organizers should check on, and the email to each that a click on their name starts.

At risk: two or more absences (or a two-misses alert), or two or more missing assignments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse

from cohortkit.accounts.models import User
from cohortkit.programs.models import Assignment, Term
from cohortkit.sections.attendance import MISSES_IN_A_ROW
from cohortkit.sections.models import Section

MISSING_ASSIGNMENTS_AT_RISK = 2
# "Email all" is one mailto link with everyone in BCC up to this many: mail programs cut or refuse
# links longer than about 2,000 characters, and mail providers limit the recipients of a message.
# Above it, the overview offers their addresses as a CSV instead.
CONTACT_ALL_LIMIT = 50


@dataclass
class AtRisk:
    user: User
    section: Section | None
    absent_weeks: list[int]
    alerted_weeks: list[int]  # the first week of each run of misses organizers were told of
    missing: list[Assignment]
    mailto: str = ""

    @property
    def missed_meetings(self) -> bool:
        return len(self.absent_weeks) >= MISSES_IN_A_ROW or bool(self.alerted_weeks)

    @property
    def missing_homework(self) -> bool:
        return len(self.missing) >= MISSING_ASSIGNMENTS_AT_RISK


def _weeks_text(weeks: Sequence[int]) -> str:
    numbers = [str(week) for week in weeks]
    if len(numbers) == 1:
        return f"week {numbers[0]}"
    return "weeks " + ", ".join(numbers[:-1]) + " and " + numbers[-1]


def mailto(*, to: Sequence[str] = (), bcc: Sequence[str] = (), subject: str, body: str = "") -> str:
    """A ``mailto:`` link (RFC 6068): addresses and text percent-encoded, so an address can
    never add a header of its own."""
    fields = {"subject": subject}
    if bcc:
        fields["bcc"] = ",".join(bcc)
    if body:
        fields["body"] = body
    recipients = ",".join(quote(address, safe="@") for address in to)
    return f"mailto:{recipients}?{urlencode(fields, safe='@,', quote_via=quote)}"


def contact_subject(term: Term) -> str:
    return f"Checking in: {term.program.name}, {term.name}"


def contact_body(term: Term, person: AtRisk) -> str:
    what = []
    if person.absent_weeks:
        what.append(f"missed your section's meetings in {_weeks_text(person.absent_weeks)}")
    if person.missing:
        titles = "; ".join(f"{item.title} (week {item.week.number})" for item in person.missing)
        what.append(f"not yet handed in {titles}")
    switch = settings.SITE_URL + reverse("sections:switch", args=[term.slug])
    return "\n".join(
        [
            f"Hello {person.user.name or person.user.email},",
            "",
            f"We noticed that you have {' and '.join(what)}. Is everything all right?",
            "If your section's time no longer works for you, you can move to another section: "
            + switch,
            "Reply to this email if we can help.",
            "",
            f"The organizers of {term.name}",
        ]
    )


def at_risk_rows(
    *,
    term: Term,
    people: Sequence[User],
    sections: Mapping[int, Section],
    absent_weeks: Mapping[int, list[int]],
    alerted_weeks: Mapping[int, list[int]],
    missing: Mapping[int, list[Assignment]],
) -> list[AtRisk]:
    """One row per person shown (a page of the people at risk), each with a prefilled email."""
    rows = []
    for person in people:
        row = AtRisk(
            user=person,
            section=sections.get(person.pk),
            absent_weeks=sorted(absent_weeks.get(person.pk, [])),
            alerted_weeks=sorted(alerted_weeks.get(person.pk, [])),
            missing=list(missing.get(person.pk, [])),
        )
        row.mailto = mailto(
            to=[person.email], subject=contact_subject(term), body=contact_body(term, row)
        )
        rows.append(row)
    return rows
