"""Overrides, confirming completions (idempotent) and a verdict that changes afterwards."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.common.errors import InvalidInputError, NotAllowedError
from cohortkit.common.models import AuditEvent
from cohortkit.completion import services
from cohortkit.completion.models import Completion
from cohortkit.completion.selectors import completion_rows, confirmed_completers
from cohortkit.completion.tests.helpers import AFTER_THE_TERM, attend
from cohortkit.notifications.models import OutboundEmail
from cohortkit.sections.attendance import Mark, attendance_record
from cohortkit.sections.models import Meeting, SectionMembership
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(term, people):
    return services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 7, "min_assignments": 0}
    )


def test_confirming_twice_changes_nothing_and_sends_nothing_twice(term, people, sections, rule):
    attend(sections["a"], people["participant"], ["present"] * 8)

    first = services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)
    events, emails = AuditEvent.objects.count(), OutboundEmail.objects.count()
    second = services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)

    assert [c.user for c in first.newly_completed] == [people["participant"]]
    assert second.confirmed == [] and second.unchanged == 1
    assert (AuditEvent.objects.count(), OutboundEmail.objects.count()) == (events, emails)
    assert emails == 1
    assert confirmed_completers(term=term) == [people["participant"]]
    completion = Completion.objects.get()
    assert completion.rule == rule and completion.evidence["meetings"] == [8, 7, 8]


def test_an_override_needs_a_reason_and_wins_over_the_rule(term, people, sections, rule):
    attend(sections["a"], people["participant"], ["present"] * 3)
    with pytest.raises(InvalidInputError):
        services.completion_override_set(
            term=term,
            user=people["participant"],
            actor=people["organizer"],
            completes=True,
            reason=" ",
        )

    services.completion_override_set(
        term=term,
        user=people["participant"],
        actor=people["organizer"],
        completes=True,
        reason="Hospital stay in weeks 4-8; made up the work in writing.",
    )
    services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)

    completion = Completion.objects.get()
    assert (completion.completed, completion.rule_verdict, completion.overridden) == (
        True,
        False,
        True,
    )
    assert AuditEvent.objects.filter(action="completion.overridden").count() == 1


def test_only_organizers_confirm(term, people, sections, rule):
    with pytest.raises(NotAllowedError):
        services.completion_confirm(term=term, actor=people["facilitator"], now=AFTER_THE_TERM)
    assert not Completion.objects.exists()


def test_a_late_correction_shows_as_a_changed_verdict_until_someone_acts(
    term, people, sections, rule
):
    a = sections["a"]
    participant = people["participant"]
    attend(a, participant, ["present"] * 6 + ["absent", "present"])
    services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)
    # The facilitator corrects week 8: the participant was not there after all.
    attendance_record(
        meeting=Meeting.objects.get(section=a, week=8),
        actor=a.facilitator,
        marks={participant.pk: Mark(status="absent")},
        now=AFTER_THE_TERM,
    )

    page = completion_rows(term=term, now=AFTER_THE_TERM)
    assert [row.user for row in page.changed] == [participant]
    again = services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)
    assert again.confirmed == [] and Completion.objects.get().completed is True

    applied = services.completion_confirm(
        term=term,
        actor=people["organizer"],
        users=[participant],
        apply_changed_verdicts=True,
        now=AFTER_THE_TERM,
    )
    assert [c.user for c in applied.no_longer_completed] == [participant]
    assert Completion.objects.get().completed is False
    assert completion_rows(term=term, now=AFTER_THE_TERM).changed == []


def test_keeping_the_confirmed_outcome_records_an_override(term, people, sections, rule):
    a = sections["a"]
    participant = people["participant"]
    attend(a, participant, ["present"] * 7 + ["absent"])
    services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)
    attendance_record(
        meeting=Meeting.objects.get(section=a, week=7),
        actor=a.facilitator,
        marks={participant.pk: Mark(status="absent")},
        now=AFTER_THE_TERM,
    )

    services.completion_keep_confirmed(
        term=term,
        user=participant,
        actor=people["organizer"],
        reason="Week 7 was a make-up session.",
    )

    page = completion_rows(term=term, now=AFTER_THE_TERM)
    assert page.changed == []
    assert page.rows[0].override.completes is True


def test_the_completion_page_shows_evidence_verdict_and_override(
    term, people, sections, rule, client_as
):
    attend(sections["a"], people["participant"], ["present"] * 2)
    services.completion_override_set(
        term=term,
        user=people["participant"],
        actor=people["organizer"],
        completes=True,
        reason="Agreed in advance.",
    )

    response = client_as("organizer").get(reverse("completion:page", args=[term.slug]))

    text = response.content.decode()
    assert "2 / 7" in text and "Does not complete" in text
    assert "Override: completes" in text and "Agreed in advance." in text


def test_confirming_from_the_page_twice_is_one_confirmation(
    term, people, sections, rule, client_as
):
    client = client_as("organizer")
    url = reverse("completion:confirm", args=[term.slug])

    client.post(url)
    response = client.post(url, follow=True)

    assert Completion.objects.count() == 1
    assert "Nothing new to confirm" in response.content.decode()


def _many_participants(term, section, count):
    for number in range(count):
        user = UserFactory(name=f"Many {number}")
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
        SectionMembership.objects.create(section=section, user=user, from_week=1)


def test_the_completion_page_reads_in_the_same_number_of_queries_for_1_or_many(
    term, people, sections, rule, client_as
):
    client = client_as("organizer")
    url = reverse("completion:page", args=[term.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _many_participants(term, sections["a"], 6)
    attend(sections["a"], people["participant"], ["present"] * 3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.content.decode().count('data-testid="completion-row"') == 7
    assert len(many) == len(one)
