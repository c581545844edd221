"""The demo's running term: week 3 today, with everything a week of the term shows."""

import datetime as dt

import pytest
from django.core.management import call_command

from cohortkit.coursework.models import Feedback, SubmissionVersion
from cohortkit.demo.running import running_term_dates
from cohortkit.programs.models import Term
from cohortkit.quizzes.models import Attempt
from cohortkit.sections.models import Attendance, Meeting, SectionMembership

pytestmark = pytest.mark.django_db


def test_the_running_term_is_in_its_third_week():
    starts_on, ends_on = running_term_dates(dt.date(2026, 11, 26))

    assert starts_on == dt.date(2026, 11, 9)  # a Monday; Thursday Nov 26 is in week 3
    assert (dt.date(2026, 11, 26) - starts_on).days // 7 + 1 == 3
    assert ends_on == dt.date(2027, 1, 1)


def test_demo_loads_a_running_term_with_the_demo_people_in_one_section(capsys):
    call_command("demo", "--today", "2026-11-26")
    call_command("demo", "--today", "2026-11-26")

    output = capsys.readouterr().out
    assert "Running term ml-safety-fall-2026-running (week 3 today)" in output
    running = Term.objects.get(slug="ml-safety-fall-2026-running")
    participant_line = next(
        line for line in output.splitlines() if line.strip().startswith("participant@example.org")
    )
    assert f"participant of {running.name} (running now, /terms/{running.slug}/" in (
        participant_line
    )
    assert output.count("unchanged.") >= 1
    membership = SectionMembership.objects.get(
        user__email="participant@example.org", section__term__slug="ml-safety-fall-2026-running"
    )
    assert membership.section.facilitator.email == "facilitator@example.org"
    assert Meeting.objects.filter(section=membership.section).count() == 8
    assert Attendance.objects.filter(meeting__section=membership.section).exists()
    assert SubmissionVersion.objects.filter(
        submission__user__email="participant@example.org"
    ).exists()
    assert Feedback.objects.exists()
    assert Attempt.objects.filter(answers__raw="-1.5").exists()
