"""The demo: Introduction to ML Safety with its finished Fall 2022 term and a term open today.

Both terms go through ``term_load``, the loader an organizer uses for their own term, so the demo
takes no path the real code does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cohortkit.accounts.models import Role, User
from cohortkit.accounts.services import membership_grant
from cohortkit.common.timezones import ANYWHERE_ON_EARTH
from cohortkit.demo.population import demo_population_generate
from cohortkit.programs.models import Term
from cohortkit.programs.term_loader import TermLoadSummary, term_load_with_summary

DATA_DIRECTORY = Path(__file__).resolve().parents[1] / "programs" / "data"
FALL_2022_FILE = DATA_DIRECTORY / "ml-safety-fall-2022.yaml"
DEMO_PASSWORD = "demo"

# Days from the day the demo is loaded, so a newcomer can apply at once.
FACILITATOR_DEADLINE_IN_DAYS = 7
PARTICIPANT_DEADLINE_IN_DAYS = 10
STARTS_IN_DAYS = 15
TERM_WEEKS = 8


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str
    is_staff: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "organizer@example.org", "Olivia Organizer", "organizer of both terms", is_staff=True
    ),
    DemoAccount("reviewer@example.org", "Ravi Reviewer", "reviewer of the current term"),
    DemoAccount("facilitator@example.org", "Farah Facilitator", "facilitator of both terms"),
    DemoAccount("participant@example.org", "Pat Participant", "participant of Fall 2022"),
)


@dataclass
class DemoSummary:
    past_term: Term
    current_term: Term
    term_loads: list[TermLoadSummary] = field(default_factory=list)
    accounts: tuple[DemoAccount, ...] = ()
    population_created: int = 0
    population_total: int = 0


def season_of(date: dt.date) -> str:
    """Meteorological season in the northern hemisphere, where the course's terms are named."""
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}.get(
        date.month, "summer" if date.month in (6, 7, 8) else "fall"
    )


def current_term_overrides(*, today: dt.date) -> dict[str, object]:
    """The current term's dates relative to ``today``; deadlines close at the end of their day
    anywhere on Earth, like Fall 2022's."""
    starts_on = today + dt.timedelta(days=STARTS_IN_DAYS)
    season = season_of(starts_on)
    return {
        "slug": f"ml-safety-{season}-{starts_on.year}",
        "name": f"{season.capitalize()} {starts_on.year}",
        "starts_on": starts_on,
        # The last day of the eighth week.
        "ends_on": starts_on + dt.timedelta(weeks=TERM_WEEKS, days=-1),
        "deadline_time_zone": ANYWHERE_ON_EARTH,
        "participant_deadline": today + dt.timedelta(days=PARTICIPANT_DEADLINE_IN_DAYS),
        "facilitator_deadline": today + dt.timedelta(days=FACILITATOR_DEADLINE_IN_DAYS),
        "is_published": True,
    }


def _account_ensure(account: DemoAccount) -> User:
    user = User.objects.filter(email__iexact=account.email).first()
    if user is None:
        user = User(email=account.email, name=account.name, time_zone="America/Los_Angeles")
        user.set_password(DEMO_PASSWORD)
    # A known password is the point of the demo accounts; never do this for real people.
    elif not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.is_staff = user.is_superuser = account.is_staff
    user.is_active = True
    user.save()
    return user


def _population_ensure() -> tuple[int, int]:
    """User accounts for the synthetic applicants; returns (created, total).

    Their applications and availability are stored once the admissions app exists; until then
    the generator keeps them.
    """
    people = demo_population_generate()
    existing = set(
        User.objects.filter(email__in=[person.email for person in people]).values_list(
            "email", flat=True
        )
    )
    new_users = []
    for person in people:
        if person.email in existing:
            continue
        user = User(email=person.email, name=person.name, time_zone=person.time_zone)
        user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users)
    return len(new_users), len(people)


@transaction.atomic
def demo_load(*, today: dt.date | None = None, with_accounts: bool = True) -> DemoSummary:
    """Load the demo program, its Fall 2022 term and a current term, idempotently.

    The current term's deadlines and start are relative to ``today`` (the local date if None).
    With accounts, the four role accounts (password ``demo``) and the synthetic population's
    accounts are created too. Loading again updates in place and duplicates nothing.
    """
    today = today or timezone.localdate()
    text = FALL_2022_FILE.read_text(encoding="utf-8")
    past = term_load_with_summary(text=text, base_directory=DATA_DIRECTORY)
    current = term_load_with_summary(
        text=text,
        base_directory=DATA_DIRECTORY,
        overrides=current_term_overrides(today=today),
    )
    summary = DemoSummary(
        past_term=past.term, current_term=current.term, term_loads=[past, current]
    )
    if not with_accounts:
        return summary

    users = {account.email: _account_ensure(account) for account in DEMO_ACCOUNTS}
    grants = [
        (past.term, "organizer@example.org", Role.ORGANIZER),
        (current.term, "organizer@example.org", Role.ORGANIZER),
        (current.term, "reviewer@example.org", Role.REVIEWER),
        (past.term, "facilitator@example.org", Role.FACILITATOR),
        (current.term, "facilitator@example.org", Role.FACILITATOR),
        (past.term, "participant@example.org", Role.PARTICIPANT),
    ]
    for term, email, role in grants:
        membership_grant(term=term, user=users[email], role=role, actor=None)
    summary.accounts = DEMO_ACCOUNTS
    summary.population_created, summary.population_total = _population_ensure()
    return summary
