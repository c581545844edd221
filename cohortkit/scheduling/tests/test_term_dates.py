"""Every meeting lies inside the term. Week N is the seven days from the term's first day plus
N − 1 weeks: in a term that starts on Wednesday 26 Oct 2022 a Monday section first meets on
Monday 31 Oct (inside week 1, after the EU clock change of 30 Oct), never on the Monday before
the term; a last week cut short by the end date has no meeting for a day past it."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.scheduling.people import participant_id
from cohortkit.scheduling.selectors.daylight_saving import daylight_saving_conflicts
from cohortkit.scheduling.selectors.instances import run_instance, run_solution
from cohortkit.scheduling.services.publishing import run_publish
from cohortkit.scheduling.services.runs import schedule_run_create
from cohortkit.scheduling.tests.factories import facilitator, participant, scheduling_term
from cohortkit.sections.meetings import meeting_days
from cohortkit.sections.models import Meeting, Section
from cohortkit.tests.factories import TermFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def wednesday_term(db):
    """Wed 26 Oct – Fri 18 Nov 2022: four weeks (Wed–Tue), the last cut short on Friday."""
    return scheduling_term(
        TermFactory(
            slug="autumn-wed",
            name="Autumn",
            time_zone="Europe/Berlin",
            starts_on=dt.date(2022, 10, 26),
            ends_on=dt.date(2022, 11, 18),
            participant_deadline=dt.datetime(2022, 10, 20, tzinfo=UTC),
            facilitator_deadline=dt.datetime(2022, 10, 18, tzinfo=UTC),
        )
    )


@pytest.fixture
def monday_section(wednesday_term, people, django_capture_on_commit_callbacks):
    """A Berlin facilitator free Mondays 18:00–19:00 with two Berlin participants and one in
    New York free Mondays 12:00–13:00 (18:00 Berlin while both are on summer time)."""
    term = wednesday_term
    lead = facilitator(term, "Europe/Berlin", "Mon 18:00-19:00")
    berlin = [participant(term, "Europe/Berlin", "Mon 18:00-19:00") for _ in range(2)]
    new_york = participant(term, "America/New_York", "Mon 12:00-13:00")
    from cohortkit.accounts.models import Role
    from cohortkit.tests.factories import MembershipFactory

    MembershipFactory(term=term, user=people["organizer"], role=Role.ORGANIZER)
    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=term, actor=people["organizer"], time_limit_seconds=2)
    run.refresh_from_db()
    return run, lead, berlin, new_york


def test_meeting_days_start_on_or_after_the_first_day_and_end_by_the_last(wednesday_term):
    term = wednesday_term

    monday = meeting_days(term, 0)
    wednesday = meeting_days(term, 2)
    friday = meeting_days(term, 4)
    saturday = meeting_days(term, 5)

    assert monday == [
        (1, dt.date(2022, 10, 31)),
        (2, dt.date(2022, 11, 7)),
        (3, dt.date(2022, 11, 14)),
    ]
    assert wednesday[0] == (1, dt.date(2022, 10, 26)) and len(wednesday) == 4
    assert friday[-1] == (4, dt.date(2022, 11, 18))
    assert saturday[-1] == (3, dt.date(2022, 11, 12))


def test_a_monday_section_of_a_wednesday_term_first_meets_inside_the_term(
    wednesday_term, monday_section, people, client_as, django_capture_on_commit_callbacks
):
    run, _, berlin, _ = monday_section
    client = client_as("organizer")

    # The run's sections table shows the first real meeting: 18:00 CET on 31 Oct.
    page = client.get(reverse("scheduling:run_detail", args=[wednesday_term.slug, run.pk]))
    assert "Mon, 31 Oct 2022, 17:00 UTC+00:00" in page.content.decode()
    assert "24 Oct 2022" not in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        run_publish(run=run, actor=people["organizer"], grant_roles=True)

    section = Section.objects.get()
    meetings = list(Meeting.objects.filter(section=section).order_by("week"))
    assert [(m.week, m.starts_at) for m in meetings] == [
        (1, dt.datetime(2022, 10, 31, 17, 0, tzinfo=UTC)),
        (2, dt.datetime(2022, 11, 7, 17, 0, tzinfo=UTC)),
        (3, dt.datetime(2022, 11, 14, 17, 0, tzinfo=UTC)),
    ]
    (email,) = [m for m in mail.outbox if m.to == [berlin[0].email]]
    assert "first meeting Mon, 31 Oct 2022, 18:00 UTC+01:00." in email.body
    assert "Week 4" not in email.body and "24 Oct" not in email.body
    calendar = icalendar.Calendar.from_ical(email.body[email.body.index("BEGIN:VCALENDAR") :])
    starts = sorted(event.decoded("DTSTART") for event in calendar.walk("VEVENT"))
    assert starts[0] == dt.datetime(2022, 10, 31, 17, 0, tzinfo=UTC)
    assert len(starts) == 3
    first_day = dt.datetime(2022, 10, 26, tzinfo=UTC)
    last_day = dt.datetime(2022, 11, 19, tzinfo=UTC)
    assert all(first_day <= start < last_day for start in starts)
    published = client.get(reverse("scheduling:sections", args=[wednesday_term.slug]))
    assert "Mon, 31 Oct 2022, 17:00 UTC+00:00" in published.content.decode()


def test_daylight_saving_conflicts_are_checked_on_the_real_meeting_weeks(
    wednesday_term, monday_section
):
    run, _, _, new_york = monday_section

    conflicts = daylight_saving_conflicts(
        term=wednesday_term,
        instance=run_instance(run),
        solution=run_solution(run),
        monday=run.week_monday,
    )

    # Berlin left summer time on 30 Oct, New York on 6 Nov: in week 1 (31 Oct) the meeting is
    # 13:00 in New York, after their 12:00–13:00; from week 2 it is 12:00 again.
    assert [(c.participant, c.week, c.local) for c in conflicts] == [
        (participant_id(new_york.pk), 1, "Mon 13:00")
    ]
