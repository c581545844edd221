"""The organizers' daily digest: one email per organizer per day, whatever the number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cohortkit.community import services
from cohortkit.community.models import DigestSent
from cohortkit.community.tests.conftest import emails_to
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _new_activity(term, count):
    for number in range(count):
        asker = UserFactory()
        services.question_ask(term=term, asker=asker, body=f"Question number {number} here?")
        services.conversation_start(
            term=term, topic="other", body=f"Private {number}", person=asker
        )


def test_each_organizer_gets_one_digest_a_day_however_many_questions_come(
    term, people, committed, outbox
):
    _new_activity(term, 7)
    now = timezone.now()
    # Later the same UTC day, whatever the time of day the test runs at (after 21:00 UTC, three
    # hours later is tomorrow, whose digest is rightly sent).
    later = min(now + dt.timedelta(hours=3), now.replace(hour=23, minute=59, second=59))

    with committed():
        first = services.digests_send(now=now)
        _new_activity(term, 2)
        second = services.digests_send(now=later)

    assert (first, second) == (1, 0)
    (digest,) = emails_to(outbox, "organizer@example.org")
    assert "7 new public question(s)" in digest.body
    assert "7 new private conversation(s)" in digest.body
    assert DigestSent.objects.get().question_count == 7


def test_the_next_days_digest_has_only_what_came_since(term, people, committed, outbox):
    _new_activity(term, 3)
    with committed():
        services.digests_send()
    _new_activity(term, 2)

    with committed():
        sent = services.digests_send(now=timezone.now() + dt.timedelta(days=1))

    assert sent == 1
    digests = emails_to(outbox, "organizer@example.org")
    assert len(digests) == 2
    assert "2 new public question(s)" in digests[1].body


def test_no_digest_when_nothing_is_new(term, people, committed, outbox):
    with committed():
        assert services.digests_send() == 0

    assert not outbox
    assert not DigestSent.objects.exists()


def test_a_day_another_worker_claimed_sends_nothing(term, people, committed, outbox):
    _new_activity(term, 1)
    now = timezone.now()
    # Another worker inserted the (organizer, day) row between our check and our insert.
    DigestSent.objects.create(organizer=people["organizer"], day=now.date())

    with committed():
        assert services.digests_send(now=now) == 0

    assert not emails_to(outbox, "organizer@example.org")


def test_the_database_refuses_a_second_digest_for_the_same_day(term, people):
    from django.db import IntegrityError, transaction

    DigestSent.objects.create(organizer=people["organizer"], day=dt.date(2026, 12, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        DigestSent.objects.create(organizer=people["organizer"], day=dt.date(2026, 12, 1))


def test_the_commands_run_the_digest_and_the_due_announcements(term, people):
    from io import StringIO

    from django.core.management import call_command

    _new_activity(term, 1)
    out = StringIO()

    call_command("community", "digest", stdout=out)
    call_command("community", "digest", stdout=out)
    call_command("community", "send-announcements", stdout=out)

    assert out.getvalue().splitlines() == [
        "Queued 1 digest(s).",
        "Queued 0 digest(s).",
        "Sent 0 announcement(s).",
    ]
