import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from cohortkit.accounts.models import Membership, User
from cohortkit.common.models import AuditEvent
from cohortkit.demo.population import UNIVERSITIES, demo_population_generate
from cohortkit.demo.terms import demo_load, season_of
from cohortkit.programs.models import Lecture, Program, Reading, Term, Track, Week
from cohortkit.programs.selectors import term_applications_open

TODAY = dt.date(2026, 3, 2)


def _counts():
    models = (Program, Term, Track, Week, Lecture, Reading, User, Membership, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_demo_loads_fall_2022_and_a_current_term_relative_to_today():
    summary = demo_load(today=TODAY)

    past, current = summary.past_term, summary.current_term
    assert (past.slug, past.starts_on, past.ends_on) == (
        "ml-safety-fall-2022",
        dt.date(2022, 9, 26),
        dt.date(2022, 11, 18),
    )
    assert current.program == past.program
    assert (current.slug, current.name) == ("ml-safety-spring-2026", "Spring 2026")
    assert current.starts_on == dt.date(2026, 3, 17)
    assert current.week_count == 8
    # Ten and seven days from today, closing at the end of that day anywhere on Earth.
    assert current.participant_deadline == dt.datetime(2026, 3, 13, 12, 0, tzinfo=dt.UTC)
    assert current.facilitator_deadline == dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    now = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=ZoneInfo("America/Los_Angeles"))
    assert term_applications_open(term=current, kind="participant", now=now)
    assert not term_applications_open(term=past, kind="participant", now=now)
    for term in (past, current):
        assert Lecture.objects.filter(week__term=term).count() == 23
        assert [track.slug for track in term.tracks.all()] == ["intro", "advanced"]


@pytest.mark.django_db
def test_demo_accounts_have_their_roles_and_the_demo_password():
    summary = demo_load(today=TODAY)

    def roles(email):
        return sorted(
            (membership.term.slug, membership.role)
            for membership in Membership.objects.filter(user__email=email)
        )

    current = summary.current_term.slug
    assert roles("organizer@example.org") == [
        ("ml-safety-fall-2022", "organizer"),
        (current, "organizer"),
    ]
    assert roles("reviewer@example.org") == [(current, "reviewer")]
    assert roles("facilitator@example.org") == [
        ("ml-safety-fall-2022", "facilitator"),
        (current, "facilitator"),
    ]
    assert roles("participant@example.org") == [("ml-safety-fall-2022", "participant")]
    organizer = User.objects.get(email="organizer@example.org")
    assert organizer.is_staff and organizer.is_superuser
    assert organizer.check_password("demo")
    assert not User.objects.get(email="participant@example.org").is_staff


@pytest.mark.django_db
def test_demo_creates_the_population_as_accounts_without_passwords():
    summary = demo_load(today=TODAY)

    people = demo_population_generate()
    assert summary.population_total == len(people)
    applicants = User.objects.filter(email__endswith="@example.net")
    assert applicants.count() == len(people)
    first = applicants.get(email=people[0].email)
    assert (first.name, first.time_zone) == (people[0].name, people[0].time_zone)
    assert not first.has_usable_password()


@pytest.mark.django_db
def test_running_the_demo_twice_changes_and_duplicates_nothing():
    demo_load(today=TODAY)
    before = _counts()

    summary = demo_load(today=TODAY)

    assert _counts() == before
    assert summary.population_created == 0
    assert all(
        not load.term_created and not load.term_fields_changed for load in summary.term_loads
    )


@pytest.mark.django_db
def test_demo_without_accounts_loads_only_the_program():
    demo_load(today=TODAY, with_accounts=False)

    assert Term.objects.count() == 2
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_command_prints_the_accounts_password_and_url(capsys):
    call_command("demo", "--today", "2026-08-20")

    output = capsys.readouterr().out
    assert "Demo accounts (password: demo):" in output
    for email in (
        "organizer@example.org",
        "reviewer@example.org",
        "facilitator@example.org",
        "participant@example.org",
    ):
        assert email in output
    # Starts on 2026-09-04: a fall term.
    assert "http://127.0.0.1:8000/terms/ml-safety-fall-2026/" in output


@pytest.mark.parametrize(
    ("date", "season"),
    [
        (dt.date(2026, 1, 10), "winter"),
        (dt.date(2026, 4, 1), "spring"),
        (dt.date(2026, 7, 1), "summer"),
        (dt.date(2026, 9, 26), "fall"),
        (dt.date(2026, 12, 1), "winter"),
    ],
)
def test_season_of_a_start_date(date, season):
    assert season_of(date) == season


def test_population_is_seeded_and_shaped_like_applicants():
    people = demo_population_generate()

    assert people == demo_population_generate()
    assert people != demo_population_generate(seed=7)
    participants = [person for person in people if person.kind == "participant"]
    facilitators = [person for person in people if person.kind == "facilitator"]
    assert 200 <= len(participants) <= 500
    assert 24 <= len(facilitators) <= 60
    emails = [person.email for person in people]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z.0-9-]+@example\.net", email) for email in emails)
    zones = {person.time_zone for person in people}
    for region in ("America/", "Europe/", "Asia/Kolkata", "Asia/Tokyo", "Australia/"):
        assert any(zone.startswith(region) for zone in zones), region
    assert {person.preferred_track for person in people} == {"intro", "advanced"}
    assert {person.us_work_eligibility for person in people} == {
        "yes",
        "international_student",
        "no",
    }
    assert any(person.is_student for person in people)
    assert any(not person.is_student for person in people)


def test_in_person_applicants_are_near_a_hosting_university():
    people = demo_population_generate()
    universities = {university.name: university.time_zone for university in UNIVERSITIES}

    in_person = [person for person in people if person.attendance == "in_person"]

    assert len(in_person) >= 10
    assert all(person.university is not None for person in in_person)
    for person in people:
        if person.university is not None:
            assert universities[person.university] == person.time_zone


def test_availability_is_wall_clock_intervals_mostly_evenings_and_weekends():
    people = demo_population_generate()

    intervals = [interval for person in people for interval in person.availability]

    assert all(person.availability for person in people)
    for weekday, start, end in intervals:
        assert 0 <= weekday <= 6
        assert re.fullmatch(r"[0-2]\d:[0-5]\d", start) and re.fullmatch(r"[0-2]\d:[0-5]\d", end)
        assert start < end
    evening_or_weekend = [
        interval for interval in intervals if interval[0] >= 5 or interval[1] >= "17:00"
    ]
    assert len(evening_or_weekend) / len(intervals) > 0.8
