"""Announcements: who gets them, who may post where, and scheduled ones sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.common.errors import NotAllowedError
from cohortkit.community import services
from cohortkit.community.models import Announcement
from cohortkit.community.tests.conftest import emails_to
from cohortkit.tests.factories import MembershipFactory, UserFactory, WeekFactory

pytestmark = pytest.mark.django_db


def _post(author, term, **fields):
    values = {"title": "Week 2 is out", "body": "Read the *papers*.", "audience": "everyone"}
    return services.announcement_post(term=term, author=author, **(values | fields))


def test_an_announcement_to_everyone_is_emailed_once_to_each_member(
    term, people, sections, committed, outbox
):
    with committed():
        announcement = _post(people["organizer"], term)

    announcement.refresh_from_db()
    members = {"participant", "facilitator", "facilitator_other_section", "reviewer", "organizer"}
    assert announcement.sent_at is not None
    assert announcement.recipient_count == len(members)
    for role in members:
        assert len(emails_to(outbox, f"{role}@example.org")) == 1, role
    assert not emails_to(outbox, "applicant@example.org")
    assert not emails_to(outbox, "organizer_other_term@example.org")
    # Sending again (a retried task, the sweep) sends nothing more.
    with committed():
        assert services.announcement_send(announcement_id=announcement.pk) is None
        assert services.announcements_send_due() == 0
    assert len(outbox) == len(members)


def test_a_section_announcement_reaches_its_facilitator_and_members_only(
    term, people, sections, client_as, committed, outbox
):
    with committed():
        _post(people["facilitator"], term, audience="section", section=sections["a"])

    assert {message.to[0] for message in outbox} == {
        "facilitator@example.org",
        "participant@example.org",
    }
    week = WeekFactory(term=term, number=1)
    for role, sees in (("participant", True), ("facilitator_other_section", False)):
        term_page = client_as(role).get(reverse("programs:term_detail", args=[term.slug]))
        week_page = client_as(role).get(reverse("coursework:week", args=[term.slug, week.number]))
        for page in (term_page, week_page):
            assert ("Week 2 is out" in page.content.decode()) is sees, role
    assert (
        "<em>papers</em>"
        in client_as("participant")
        .get(reverse("community:announcements", args=[term.slug]))
        .content.decode()
    )


def test_role_and_track_announcements_reach_their_people(term, people, sections, committed, outbox):
    track = sections["a"].track
    with committed():
        _post(people["organizer"], term, audience="role", role=Role.REVIEWER, title="Reviewers")
        _post(people["organizer"], term, audience="track", track=track, title="Track news")

    reviewers = [m.to[0] for m in outbox if m.subject.endswith("Reviewers")]
    track_people = {m.to[0] for m in outbox if m.subject.endswith("Track news")}
    assert reviewers == ["reviewer@example.org"]
    # Both sections are on the introductory track: their facilitators and A's member.
    assert track_people == {
        "facilitator@example.org",
        "facilitator_other_section@example.org",
        "participant@example.org",
    }


def test_facilitators_post_only_to_their_own_sections(term, people, sections, client_as):
    with pytest.raises(NotAllowedError):
        _post(people["facilitator"], term, audience="section", section=sections["b"])
    with pytest.raises(NotAllowedError):
        _post(people["facilitator"], term, audience="everyone")

    response = client_as("facilitator").post(
        reverse("community:announcement_new", args=[term.slug]),
        {
            "title": "Hello",
            "body": "Hi all",
            "audience": "section",
            "section": str(sections["b"].pk),
            "time_zone": "UTC",
        },
    )

    assert response.status_code == 400
    assert not Announcement.objects.exists()
    form_page = client_as("facilitator").get(
        reverse("community:announcement_new", args=[term.slug])
    )
    assert sections["a"].name in form_page.content.decode()
    assert sections["b"].name not in form_page.content.decode()


def test_participants_cannot_open_the_announcement_form(term, people, client_as):
    response = client_as("participant").post(
        reverse("community:announcement_new", args=[term.slug]),
        {"title": "Hi", "body": "Hi", "audience": "everyone", "time_zone": "UTC"},
    )

    assert response.status_code == 403
    assert not Announcement.objects.exists()


def test_a_scheduled_announcement_is_hidden_and_unsent_until_its_time_then_sent_once(
    term, people, sections, client_as, committed, outbox
):
    later = timezone.now() + dt.timedelta(days=2)
    with committed():
        announcement = _post(people["organizer"], term, scheduled_at=later, title="Reminder")

    assert announcement.is_scheduled and announcement.scheduled_at == later
    assert not outbox
    assert (
        "Reminder"
        not in client_as("participant")
        .get(reverse("programs:term_detail", args=[term.slug]))
        .content.decode()
    )
    with committed():
        assert services.announcements_send_due(now=later - dt.timedelta(minutes=1)) == 0
    assert not outbox

    with committed():
        assert services.announcements_send_due(now=later) == 1
        assert services.announcements_send_due(now=later + dt.timedelta(hours=1)) == 0
        assert services.announcement_send(announcement_id=announcement.pk, now=later) is None

    assert len(emails_to(outbox, "participant@example.org")) == 1
    assert len(outbox) == 5


def test_a_scheduled_announcement_is_queued_for_its_time_where_the_backend_can_defer(
    term, people, settings, committed
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    later = timezone.now() + dt.timedelta(hours=3)

    with committed():
        announcement = _post(people["organizer"], term, scheduled_at=later)

    queued = DBTaskResult.objects.get(task_path__endswith="send_announcement")
    assert queued.run_after == later
    assert queued.args_kwargs["kwargs"] == {"announcement_id": announcement.pk}


def test_posting_the_same_announcement_twice_is_one_announcement(term, people, committed):
    with committed():
        first = _post(people["organizer"], term)
        again = _post(people["organizer"], term)

    assert first.pk == again.pk
    assert Announcement.objects.count() == 1


def test_announcement_markdown_is_sanitised(term, people, client_as):
    _post(
        people["organizer"],
        term,
        body='Hi <script>alert(1)</script> <a href="javascript:x()">x</a> **all**',
    )

    html = (
        client_as("participant")
        .get(reverse("community:announcements", args=[term.slug]))
        .content.decode()
    )

    assert "<strong>all</strong>" in html
    assert "<script>alert" not in html and "javascript:" not in html


def test_a_new_member_is_not_sent_an_announcement_already_sent(term, people, committed, outbox):
    with committed():
        announcement = _post(people["organizer"], term)
    latecomer = UserFactory(email="latecomer@example.org")
    MembershipFactory(term=term, user=latecomer, role=Role.PARTICIPANT)

    with committed():
        services.announcements_send_due()
        services.announcement_send(announcement_id=announcement.pk)

    assert not emails_to(outbox, "latecomer@example.org")
