"""Reminders use the one due-date rule, skip work handed in, and go once per due date."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from cohortkit.coursework.due import due_at, due_override_set
from cohortkit.coursework.reminders import reminders_send
from cohortkit.coursework.services import submission_submit
from cohortkit.programs.models import Assignment, Week

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(term, sections):
    week = Week.objects.create(term=term, number=2, title="Safety engineering")
    return Assignment.objects.create(
        week=week, title="Accident models", prompt="Apply one.", minutes=60
    )


def test_a_reminder_a_day_before_once_and_again_after_an_extension(
    assignment, people, django_capture_on_commit_callbacks
):
    participant = people["participant"]
    due = due_at(item=assignment, user=participant).instant
    day_before = due - dt.timedelta(hours=20)

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(now=day_before)
        again = reminders_send(now=day_before + dt.timedelta(hours=1))
    assert (first.queued, len(mail.outbox)) == (1, 1)
    assert again.queued == 0 and len(mail.outbox) == 1  # the same reminder is not sent twice
    assert "Accident models" in mail.outbox[0].subject

    later = due + dt.timedelta(days=2)
    due_override_set(item=assignment, user=participant, due=later, actor=people["organizer"])
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(now=later - dt.timedelta(hours=3))
    assert len(mail.outbox) == 2
    assert "your personal extension" in mail.outbox[1].body


def test_no_reminder_for_work_handed_in_or_far_away(assignment, people):
    participant = people["participant"]
    due = due_at(item=assignment, user=participant).instant
    assert reminders_send(now=due - dt.timedelta(days=3)).queued == 0

    submission_submit(assignment=assignment, user=participant, body_markdown="Done.")

    assert reminders_send(now=due - dt.timedelta(hours=2)).queued == 0


def test_reminders_command(assignment, capsys):
    call_command("reminders", "send")

    assert "Checked" in capsys.readouterr().out
