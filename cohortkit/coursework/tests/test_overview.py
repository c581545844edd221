"""The organizers' term overview: rates per week by section and track, the people at risk, the
CSV exports (spreadsheet-safe) and a query count that does not grow with the term."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.common.tables import PAGE_SIZE
from cohortkit.coursework import services
from cohortkit.coursework.due import due_at, due_override_set, term_due_at
from cohortkit.coursework.overview.at_risk import mailto
from cohortkit.coursework.overview.charts import line_chart
from cohortkit.coursework.overview.page import term_overview
from cohortkit.coursework.overview.queries import term_facts
from cohortkit.coursework.tests.factories import AssignmentFactory, QuizFactory
from cohortkit.programs.models import Track
from cohortkit.quizzes.models import Attempt
from cohortkit.sections.attendance import Mark, attendance_record
from cohortkit.sections.models import (
    Apology,
    Meeting,
    MissedMeetingsAlert,
    Section,
    SectionMembership,
    SectionVisit,
)
from cohortkit.sections.tests.weekly import add_section, join, term_running_now
from cohortkit.tests.factories import UserFactory, WeekFactory

pytestmark = pytest.mark.django_db


def _hand_in(assignment, user, *, late=False, text="My answer."):
    due = term_due_at(assignment)
    moment = due + dt.timedelta(hours=1) if late else due - dt.timedelta(days=1)
    return services.submission_submit(
        assignment=assignment, user=user, body_markdown=text, now=moment
    ).version


def _mark(section, week, **statuses):
    """Record attendance at the section's meeting of that week: ``email_name=status``."""
    meeting = Meeting.objects.select_related("section__term").get(section=section, week=week)
    people = {member.email.split("@")[0]: member for member in _members(section)}
    attendance_record(
        meeting=meeting,
        actor=section.facilitator,
        marks={people[name].pk: Mark(status) for name, status in statuses.items()},
    )


def _members(section):
    return [membership.user for membership in section.memberships.select_related("user")]


@pytest.fixture
def running(term, people):
    """A term in its fourth week. Introductory A (Ann, Bob) and B (Cat, Eve) are on the
    introductory track, Advanced A (Dan) on the advanced one. Week 1's assignment is for every
    track, week 2's for the introductory track only, week 5's is not due yet.

    Attendance — week 1: Ann present, Bob absent, Cat present, Eve not recorded, Dan apologised.
    Week 2: Ann present, Bob absent (two in a row: an alert), Dan present. Week 3: Ann and Bob
    absent. Homework — week 1: Ann and Dan on time, Cat late, Bob and Eve missing. Week 2: Ann
    on time, Bob and Eve missing, Cat has an extension into next week.
    """
    intro = Track.objects.create(term=term, slug="intro", name="Introductory", position=0)
    advanced = Track.objects.create(term=term, slug="advanced", name="Advanced", position=1)
    person = {
        name: UserFactory.create(email=f"{name}@example.org", name=name.title())
        for name in ("ann", "bob", "cat", "dan")
    }
    # A name that a spreadsheet would run as a formula.
    person["eve"] = UserFactory.create(
        email="eve@example.org", name='=HYPERLINK("http://evil.example")'
    )
    intro_a = add_section(
        term, intro, name="Introductory A", members=[person["ann"], person["bob"]]
    )
    intro_b = add_section(
        term, intro, name="Introductory B", members=[person["cat"], person["eve"]]
    )
    advanced_a = add_section(term, advanced, name="Advanced A", members=[person["dan"]])
    term = term_running_now(term, this_week=4)
    weeks = {number: WeekFactory(term=term, number=number) for number in (1, 2, 5)}
    first = AssignmentFactory(week=weeks[1], title="Why safety?")
    second = AssignmentFactory(week=weeks[2], title="Robustness")
    second.tracks.set([intro])
    later = AssignmentFactory(week=weeks[5], title="@SUM(1+1)")

    meeting = Meeting.objects.get(section=advanced_a, week=1)
    Apology.objects.create(
        meeting=meeting, user=person["dan"], created_at=meeting.starts_at - dt.timedelta(days=1)
    )
    _mark(intro_a, 1, ann="present", bob="absent")
    _mark(intro_b, 1, cat="present")
    _mark(intro_a, 2, ann="present", bob="absent")
    _mark(advanced_a, 2, dan="present")
    _mark(intro_a, 3, ann="absent", bob="absent")

    reviewed = _hand_in(first, person["ann"])
    services.feedback_give(
        version=reviewed, facilitator=intro_a.facilitator, verdict="complete", comment=""
    )
    _hand_in(first, person["dan"])
    _hand_in(first, person["cat"], late=True)
    _hand_in(second, person["ann"])
    due_override_set(
        item=second,
        user=person["cat"],
        due=timezone.now() + dt.timedelta(days=3),
        actor=people["organizer"],
    )
    quiz = QuizFactory(week=weeks[1], title="Quiz one")
    for number, score in ((1, 3), (2, 4)):
        Attempt.objects.create(
            quiz=quiz,
            user=person["ann"],
            number=number,
            submit_token=f"t{number}",
            submitted_at=timezone.now(),
            due_at=timezone.now(),
            due_source="term",
            score=score,
            max_score=5,
        )
    return {
        "term": term,
        "person": person,
        "sections": {"intro_a": intro_a, "intro_b": intro_b, "advanced_a": advanced_a},
        "assignments": [first, second, later],
    }


def _rows(overview, kind):
    return {row.label: row for row in getattr(overview, kind)}


def test_attendance_rates_count_present_of_recorded_with_excused_and_unrecorded_apart(running):
    overview = term_overview(term=running["term"])

    sections, tracks = _rows(overview, "by_section"), _rows(overview, "by_track")
    intro_a, intro_b = sections["Introductory A"].week, sections["Introductory B"].week
    advanced_a = sections["Advanced A"].week
    assert [intro_a(week).attendance.percent for week in (1, 2, 3)] == [50, 50, 0]
    assert (intro_b(1).attendance.percent, intro_b(1).attendance.unrecorded) == (100, 1)
    assert (intro_b(2).attendance.recorded, intro_b(2).attendance.unrecorded) == (0, 2)
    assert intro_b(2).attendance.percent is None
    # Dan's apology counts as excused: shown apart, outside the rate (issue 15).
    week_one = advanced_a(1).attendance
    assert (week_one.present, week_one.excused, week_one.percent) == (0, 1, None)
    assert advanced_a(2).attendance.percent == 100
    # The track adds its sections up: Ann and Cat of Ann, Bob and Cat in week 1.
    intro_week_one = tracks["Introductory"].week(1).attendance
    assert (intro_week_one.present, intro_week_one.recorded, intro_week_one.percent) == (2, 3, 67)
    assert overview.weeks == [1, 2, 3, 4]


def test_submission_rates_count_the_people_whose_due_date_has_passed(running):
    overview = term_overview(term=running["term"])

    sections, tracks = _rows(overview, "by_section"), _rows(overview, "by_track")

    def counts(row, week):
        count = row.week(week).submissions
        return (count.on_time, count.late, count.missing, count.percent)

    assert counts(sections["Introductory A"], 1) == (1, 0, 1, 50)
    assert counts(sections["Introductory B"], 1) == (0, 1, 1, 50)
    assert counts(sections["Advanced A"], 1) == (1, 0, 0, 100)
    assert counts(tracks["Introductory"], 1) == (1, 1, 2, 50)
    # Week 2 is not the advanced track's; Cat's extension keeps her out until it passes.
    assert counts(tracks["Introductory"], 2) == (1, 0, 2, 33)
    assert counts(sections["Introductory B"], 2) == (0, 0, 1, 0)
    assert counts(tracks["Advanced"], 2) == (0, 0, 0, None)
    # Week 5's assignment is due for nobody yet.
    assert counts(tracks["Introductory"], 5) == (0, 0, 0, None)


def test_the_people_at_risk_are_those_who_missed_meetings_or_homework(running):
    person = running["person"]

    overview = term_overview(term=running["term"])

    at_risk = {item.user.email: item for item in overview.at_risk}
    assert list(at_risk) == ["bob@example.org", "eve@example.org"]  # Bob missed more
    bob, eve = at_risk["bob@example.org"], at_risk["eve@example.org"]
    assert bob.absent_weeks == [1, 2, 3]
    assert bob.alerted_weeks == [1]
    assert MissedMeetingsAlert.objects.filter(user=person["bob"]).count() == 1
    assert [item.title for item in bob.missing] == ["Why safety?", "Robustness"]
    assert (eve.absent_weeks, [item.title for item in eve.missing]) == (
        [],
        ["Why safety?", "Robustness"],
    )
    assert eve.section.name == "Introductory B"
    # One click writes to Bob, saying what he missed.
    link = urlsplit(bob.mailto)
    assert (link.scheme, unquote(link.path)) == ("mailto", "bob@example.org")
    body = parse_qs(link.query)["body"][0]
    assert "weeks 1, 2 and 3" in body
    assert "Why safety? (week 1); Robustness (week 2)" in body
    assert reverse("sections:switch", args=[running["term"].slug]) in body
    # And one to everyone at risk, each hidden from the others.
    everyone = urlsplit(overview.contact_all)
    assert everyone.path == ""
    assert parse_qs(everyone.query)["bcc"] == ["bob@example.org,eve@example.org"]


def test_the_overview_page_draws_accessible_charts_and_lists_who_to_contact(running, client_as):
    organizer = client_as("organizer")

    response = organizer.get(reverse("coursework:overview", args=[running["term"].slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="at-risk"') == 2
    assert 'href="mailto:bob@example.org?subject=' in page
    assert 'href="mailto:?subject=' in page and "bcc=bob@example.org,eve@example.org" in page
    assert page.count("<svg") == 2
    assert '<title id="chart-attendance-title">Attendance rate per week</title>' in page
    assert "Introductory: week 1 67%, week 2 50%, week 3 0%." in page  # the <desc>
    assert "<polyline" in page and "The numbers as a table" in page
    assert " style=" not in page  # a strict CSP forbids inline styles
    assert reverse("coursework:overview_grades_csv", args=[running["term"].slug]) in page


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_attendance_csv_has_each_week_per_participant(running, client_as):
    response = client_as("organizer").get(
        reverse("coursework:overview_attendance_csv", args=[running["term"].slug])
    )

    rows = _csv(response)
    header = rows[0]
    assert header[:5] == ["email", "name", "section", "track", "week 1"]
    assert header[-3:] == ["present", "absent", "excused"]
    by_email = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_email) == {f"{name}@example.org" for name in ("ann", "bob", "cat", "dan", "eve")}
    bob = by_email["bob@example.org"]
    assert (bob["section"], bob["track"]) == ("Introductory A", "Introductory")
    assert [bob[f"week {week}"] for week in (1, 2, 3)] == ["absent"] * 3
    assert (bob["present"], bob["absent"], bob["excused"]) == ("0", "3", "0")
    assert by_email["dan@example.org"]["week 1"] == "excused"
    assert by_email["eve@example.org"]["week 2"] == "not recorded"
    assert by_email["ann@example.org"]["week 8"] == ""  # not held yet
    # A name that starts like a formula is kept as text.
    assert by_email["eve@example.org"]["name"] == '\'=HYPERLINK("http://evil.example")'


def test_the_grades_csv_has_each_assignment_and_quiz_and_is_spreadsheet_safe(running, client_as):
    response = client_as("organizer").get(
        reverse("coursework:overview_grades_csv", args=[running["term"].slug])
    )

    rows = _csv(response)
    header = rows[0]
    first = "W1 Why safety?"
    assert header[4:7] == [f"{first}: status", f"{first}: late", f"{first}: verdict"]
    assert header[-3:] == [
        "W1 Quiz one: best score",
        "W1 Quiz one: out of",
        "W1 Quiz one: late attempts",
    ]
    by_email = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    ann, cat = by_email["ann@example.org"], by_email["cat@example.org"]
    assert (ann["W1 Why safety?: status"], ann["W1 Why safety?: late"]) == ("on time", "no")
    assert ann["W1 Why safety?: verdict"] == "complete"
    assert (ann["W1 Quiz one: best score"], ann["W1 Quiz one: out of"]) == ("4", "5")
    assert ann["W1 Quiz one: late attempts"] == "0"
    assert (cat["W1 Why safety?: status"], cat["W1 Why safety?: late"]) == ("late", "yes")
    assert cat["W2 Robustness: status"] == "not yet due"
    assert by_email["bob@example.org"]["W2 Robustness: status"] == "missing"
    assert by_email["dan@example.org"]["W2 Robustness: status"] == ""  # not his track's
    assert ann["W5 @SUM(1+1): status"] == "not yet due"
    assert by_email["eve@example.org"]["name"].startswith("'=")


def test_the_overview_due_dates_agree_with_the_one_due_date_rule(running, people):
    """The overview reads every due date at once; it must say what ``due_at`` says."""
    first, second, _ = running["assignments"]
    due_override_set(
        item=first,
        section=running["sections"]["intro_b"],
        due=timezone.now() - dt.timedelta(days=1),
        actor=people["organizer"],
    )
    facts = term_facts(term=running["term"])

    for assignment in (first, second):
        for person in running["person"].values():
            section = facts.section_in_week(person.pk, assignment.week.number)
            assert facts.due_of(assignment, person.pk, section) == (
                due_at(item=assignment, user=person).instant
            )


def test_mailto_links_encode_addresses_and_text():
    link = mailto(to=["a+b@example.org"], bcc=["c@example.org", "d@example.org"], subject="Hi & ?")

    assert link == "mailto:a%2Bb@example.org?subject=Hi%20%26%20%3F&bcc=c@example.org,d@example.org"


def test_a_line_chart_breaks_where_a_week_has_no_data():
    chart = line_chart(
        slug="x", title="T", what="Rates", week_count=3, series=[("Intro", [100, None, 0])]
    )

    (series,) = chart.series
    assert len(series.segments) == 2
    assert [(point.x, point.y) for point in series.points] == [
        (chart.left, chart.top),
        (chart.right, chart.bottom),
    ]
    assert (
        chart.description == "Rates, per week, one line per track. Intro: week 1 100%, week 3 0%."
    )


# Query counts ---------------------------------------------------------------------------


def _grow(term, organizer, *, sections, members, weeks):
    """Sections of both tracks with members, a week's assignment, quiz, attendance (an
    apology, a visit), homework handed in and reviewed, extensions and attempts."""
    tracks = list(Track.objects.filter(term=term))
    made = [
        add_section(term, tracks[index % len(tracks)], name=f"Section {Section.objects.count()}")
        for index in range(sections)
    ]
    for section in made:
        for _ in range(members):
            join(section, UserFactory.create())
    term = term_running_now(term, this_week=max(weeks) + 1)
    for number in weeks:
        week = WeekFactory(term=term, number=number)
        assignment = AssignmentFactory(week=week)
        quiz = QuizFactory(week=week)
        for section in made:
            people = _members(section)
            meeting = Meeting.objects.select_related("section__term").get(
                section=section, week=number
            )
            Apology.objects.create(
                meeting=meeting, user=people[0], created_at=meeting.starts_at - dt.timedelta(days=1)
            )
            attendance_record(
                meeting=meeting,
                actor=section.facilitator,
                marks={person.pk: Mark("absent") for person in people[1:]},
            )
            for person in people:
                version = _hand_in(assignment, person, late=person.pk % 2 == 0)
                services.feedback_give(
                    version=version,
                    facilitator=section.facilitator,
                    verdict="needs_revision",
                    comment="More.",
                )
                due_override_set(
                    item=assignment,
                    user=person,
                    due=term_due_at(assignment) + dt.timedelta(hours=2),
                    actor=organizer,
                )
                Attempt.objects.create(
                    quiz=quiz,
                    user=person,
                    number=1,
                    submit_token="t",
                    submitted_at=timezone.now(),
                    due_at=timezone.now(),
                    due_source="term",
                    score=1,
                    max_score=2,
                )
            due_override_set(
                item=assignment,
                section=section,
                due=term_due_at(assignment),
                actor=organizer,
            )
    if len(made) > 1:
        other = Meeting.objects.get(section=made[1], week=weeks[0])
        SectionVisit.objects.create(
            user=_members(made[0])[-1],
            meeting=other,
            term=term,
            week=weeks[0],
            created_at=timezone.now(),
        )
    return term


@pytest.mark.parametrize(
    "url_name",
    ["coursework:overview", "coursework:overview_attendance_csv", "coursework:overview_grades_csv"],
)
def test_the_overview_reads_as_many_queries_for_one_row_as_for_many(
    url_name, term, people, client_as, django_assert_max_num_queries
):
    Track.objects.create(term=term, slug="intro", name="Introductory", position=0)
    Track.objects.create(term=term, slug="advanced", name="Advanced", position=1)
    organizer = client_as("organizer")
    small = _grow(term, people["organizer"], sections=1, members=1, weeks=[1])
    # One person at risk (an alert), so that one row of the list is compared with many.
    (first,) = SectionMembership.objects.filter(section__term=term)
    MissedMeetingsAlert.objects.create(
        term=term, user=first.user, first_week=1, created_at=timezone.now()
    )
    url = reverse(url_name, args=[small.slug])
    # The page counts in the database (about twenty-five queries); completion's panel reads its
    # own (its counts, one page of people and their progress: about thirty).
    with django_assert_max_num_queries(60) as for_one:
        organizer.get(url)

    _grow(term, people["organizer"], sections=4, members=5, weeks=[2, 3, 4])
    with django_assert_max_num_queries(len(for_one.captured_queries)):
        response = organizer.get(url)

    assert response.status_code == 200
    if url_name == "coursework:overview":
        # Four absent members in each of four sections, and the first section's member, who
        # has handed in none of weeks 2–4.
        assert response.content.decode().count('data-testid="at-risk"') == 4 * 4 + 1
    else:
        assert len(response.content.decode().splitlines()) == 1 + 1 + 20


def test_the_people_at_risk_come_in_pages_searched_by_name_or_email(running, client_as):
    term = running["term"]
    for number in range(PAGE_SIZE):
        person = UserFactory.create(name=f"Zed {number:02d}", email=f"zed{number}@example.org")
        MissedMeetingsAlert.objects.create(
            term=term, user=person, first_week=1, created_at=timezone.now()
        )
    organizer = client_as("organizer")
    url = reverse("coursework:overview", args=[term.slug])

    first = organizer.get(url).content.decode()
    bob = organizer.get(url, {"risk-q": "BOB@example"}).content.decode()
    by_name = organizer.get(url, {"risk-sort": "person", "risk-page": "2"}).content.decode()

    assert first.count('data-testid="at-risk"') == PAGE_SIZE
    # 52 are too many for one mailto link: their addresses come as a CSV instead.
    assert "Email all" not in first and "mailto:?" not in first
    assert f"Download all {PAGE_SIZE + 2} addresses (CSV)" in first
    assert 'data-testid="contact-all-too-many"' in first
    assert first.index("bob@example.org") < first.index("zed0@example.org")  # most misses first
    assert 'rel="next"' in first and "risk-page=2" in first
    assert bob.count('data-testid="at-risk"') == 1 and "Weeks 1, 2, 3" in bob
    assert by_name.count('data-testid="at-risk"') == 2  # 52 by name: the last two
    assert "Zed 48" in by_name and "Zed 49" in by_name


def test_the_sections_of_the_rates_tables_are_searched_by_name_or_facilitator(running, client_as):
    url = reverse("coursework:overview", args=[running["term"].slug])
    page = client_as("organizer").get(url, {"sections-q": "advanced"}).content.decode()

    assert 'data-testid="attendance-advanced-a"' in page
    assert 'data-testid="attendance-introductory-a"' not in page
    assert 'data-testid="attendance-introductory"' in page  # every track stays
    assert "1 match." in page


def test_the_at_risk_csv_lists_everyone_at_risk_with_what_they_missed(running, client_as):
    term = running["term"]
    organizer = client_as("organizer")
    page = organizer.get(reverse("coursework:overview", args=[term.slug])).content.decode()
    url = reverse("coursework:overview_at_risk_csv", args=[term.slug])
    assert url in page and 'data-testid="contact-all"' in page  # two: one link writes to both

    rows = _csv(organizer.get(url))

    assert rows[0] == [
        "email",
        "name",
        "section",
        "missed meetings (weeks)",
        "missed in a row from week",
        "missing homework",
    ]
    by_email = {row[0]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == ["bob@example.org", "eve@example.org"]
    assert by_email["bob@example.org"][3:] == [
        "1 2 3",
        "1",
        "Week 1: Why safety?; Week 2: Robustness",
    ]
    assert by_email["eve@example.org"][2:] == [
        "Introductory B",
        "",
        "",
        "Week 1: Why safety?; Week 2: Robustness",
    ]
