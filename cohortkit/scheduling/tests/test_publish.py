"""Publishing: sections with a meeting per week at real UTC instants (the local time is fixed,
so a New York section moves from 22:00 to 23:00 UTC after 6 Nov 2022), one email per member and
facilitator with an .ics invitation, sent once; a re-solve keeps what is published."""

import datetime as dt

import icalendar
import pytest
from django.core import mail

from cohortkit.common.errors import ServiceError
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.people import participant_id
from cohortkit.scheduling.selectors.daylight_saving import daylight_saving_conflicts
from cohortkit.scheduling.selectors.instances import run_instance, run_solution
from cohortkit.scheduling.services.publishing import run_publish
from cohortkit.scheduling.services.runs import schedule_run_create
from cohortkit.sections.models import Meeting, Section, SectionMembership

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def solved(fall, new_york_section, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=3)
    run.refresh_from_db()
    return run


def _publish(run, people, capture):
    with capture(execute=True):
        return run_publish(run=run, actor=people["organizer"], grant_roles=True)


def test_publish_creates_meetings_at_real_instants_across_the_us_change(
    fall, new_york_section, solved, people, django_capture_on_commit_callbacks
):
    lead, members = new_york_section

    summary = _publish(solved, people, django_capture_on_commit_callbacks)

    section = Section.objects.get()
    assert (summary.sections_created, summary.memberships_created) == (1, 4)
    assert section.facilitator == lead
    assert (section.weekday, section.start_time, section.time_zone) == (
        0,
        dt.time(18, 0),
        "America/New_York",
    )
    meetings = list(Meeting.objects.filter(section=section).order_by("week"))
    assert [m.week for m in meetings] == list(range(1, 9))
    assert meetings[0].starts_at == dt.datetime(2022, 9, 26, 22, 0, tzinfo=UTC)
    assert meetings[5].starts_at == dt.datetime(2022, 10, 31, 22, 0, tzinfo=UTC)  # EDT still
    assert meetings[6].starts_at == dt.datetime(2022, 11, 7, 23, 0, tzinfo=UTC)  # EST from 6 Nov
    assert meetings[7].ends_at == dt.datetime(2022, 11, 15, 0, 0, tzinfo=UTC)
    assert {
        m.starts_at.astimezone(dt.timezone(dt.timedelta(hours=-4))).hour for m in meetings[:6]
    } == {18}
    assert set(
        SectionMembership.objects.filter(section=section).values_list("user_id", flat=True)
    ) == {user.pk for user in members.values()}


def test_each_member_and_the_facilitator_gets_one_email_with_their_time_and_an_ics(
    fall, new_york_section, solved, people, django_capture_on_commit_callbacks
):
    lead, members = new_york_section

    _publish(solved, people, django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [lead.email, *(user.email for user in members.values())]
    )
    (kolkata,) = [m for m in mail.outbox if m.to == [members["kolkata"].email]]
    assert f"Facilitator: {lead.name} <{lead.email}>" in kolkata.body
    assert "first meeting Tue, 27 Sep 2022, 03:30 UTC+05:30" in kolkata.body
    assert "Week 7: Tue, 08 Nov 2022, 04:30 UTC+05:30" in kolkata.body
    calendar_text = kolkata.body[kolkata.body.index("BEGIN:VCALENDAR") :]
    calendar = icalendar.Calendar.from_ical(calendar_text)
    events = [component for component in calendar.walk("VEVENT")]
    assert len(events) == 8
    starts = sorted(event.decoded("DTSTART") for event in events)
    assert starts[0] == dt.datetime(2022, 9, 26, 22, 0, tzinfo=UTC)
    assert starts[6] == dt.datetime(2022, 11, 7, 23, 0, tzinfo=UTC)
    assert len({str(event["UID"]) for event in events}) == 8


def test_emails_are_sent_once_and_a_published_run_is_not_published_again(
    fall, new_york_section, solved, people, django_capture_on_commit_callbacks
):
    _publish(solved, people, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)

    with pytest.raises(ServiceError, match="already published"):
        _publish(solved, people, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == sent == 5


def test_a_re_solve_keeps_the_published_section_locked_and_emails_only_newcomers(
    fall, new_york_section, solved, people, django_capture_on_commit_callbacks
):
    from cohortkit.scheduling.tests.factories import participant

    _publish(solved, people, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    late = participant(fall, "America/Chicago", "Mon 17:00-18:00")  # 22:00 UTC, CDT
    fall.section_size_max = 5
    fall.save()

    with django_capture_on_commit_callbacks(execute=True):
        again = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=3)
    again.refresh_from_db()
    instance = run_instance(again)
    (locked,) = instance.locked
    assert locked.start == 44 and len(locked.participants) == 4
    (section,) = run_solution(again).sections
    assert participant_id(late.pk) in section.participants

    summary = _publish(again, people, django_capture_on_commit_callbacks)

    assert (summary.sections_created, summary.sections_kept, summary.memberships_created) == (
        0,
        1,
        1,
    )
    assert Section.objects.count() == 1
    assert [message.to for message in mail.outbox] == [[late.email]]


def test_daylight_saving_conflicts_name_the_member_and_the_week(fall, new_york_section, solved):
    _, members = new_york_section
    instance, solution = run_instance(solved), run_solution(solved)

    conflicts = daylight_saving_conflicts(
        term=fall, instance=instance, solution=solution, monday=solved.week_monday
    )

    found = sorted((c.participant, c.week, c.local) for c in conflicts)
    # London falls back on 30 Oct: in week 6 (31 Oct) the 18:00 New York meeting is 22:00 in
    # London, before their 23:00; New York falls back on 6 Nov and it is 23:00 again. Kolkata has
    # no daylight saving: from week 7 the meeting is 04:30 there, after their 03:30-04:30.
    assert found == sorted(
        [
            (participant_id(members["london"].pk), 6, "Mon 22:00"),
            (participant_id(members["kolkata"].pk), 7, "Tue 04:30"),
            (participant_id(members["kolkata"].pk), 8, "Tue 04:30"),
        ]
    )


def test_the_page_reports_the_daylight_saving_conflicts(fall, new_york_section, solved, client_as):
    page = client_as("organizer").get(f"/terms/{fall.slug}/organize/sections/").content.decode()

    assert 'data-testid="dst-conflicts"' in page
    assert "Mon, 31 Oct 2022, 22:00 UTC+00:00" in page  # London, week 6
    assert "Tue, 08 Nov 2022, 04:30 UTC+05:30" in page  # Kolkata, week 7


def test_a_member_sees_their_section_in_their_own_zone(
    fall, new_york_section, solved, people, django_capture_on_commit_callbacks, client
):
    from cohortkit.accounts.models import Membership

    _, members = new_york_section
    _publish(solved, people, django_capture_on_commit_callbacks)
    kolkata = members["kolkata"]
    # Publishing made them a participant of the term: their section page is theirs to open.
    assert Membership.objects.filter(term=fall, user=kolkata, role="participant").exists()
    client.force_login(kolkata)

    page = client.get(f"/terms/{fall.slug}/my-section/").content.decode()

    assert "Introductory 1" in page
    assert "Week 7: <time" in page and "Tue, 08 Nov 2022, 04:30 UTC+05:30" in page
    assert ScheduleRun.objects.get().published_at is not None
