"""The audit trail knows each event's term, and organizers read their term's on one page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.common.models import AuditEvent
from cohortkit.common.services import audit_record
from cohortkit.tests.factories import ApplicationFormFactory

pytestmark = pytest.mark.django_db


def test_an_event_finds_its_term_through_the_targets_foreign_keys(term, sections, people):
    form = ApplicationFormFactory(term=term, kind="participant")
    from cohortkit.sections.models import Meeting

    meeting = Meeting.objects.filter(section__term=term).first()

    on_term = audit_record(actor=None, action="term.settings_updated", target=term)
    on_form = audit_record(actor=None, action="form.loaded", target=form)
    on_meeting = audit_record(actor=None, action="meeting.led", target=meeting)
    on_person = audit_record(actor=None, action="api_token.created", target=people["organizer"])
    given = audit_record(
        actor=None, action="account.unlocked", target=people["participant"], term=term
    )

    assert [on_term.term_id, on_form.term_id, on_meeting.term_id] == [term.pk] * 3
    assert on_person.term_id is None
    assert given.term_id == term.pk


def test_a_lazy_request_user_is_audited_like_the_user_it_wraps(people):
    from django.utils.functional import SimpleLazyObject

    lazy = SimpleLazyObject(lambda: people["organizer"])

    event = audit_record(actor=lazy, action="api_token.created", target=lazy)

    assert (event.target_type, event.target_id, event.term_id) == (
        "accounts.user",
        str(people["organizer"].pk),
        None,
    )


def _events(term, other_term, people, count):
    for index in range(count):
        audit_record(
            actor=people["organizer"],
            action=f"decision.staged.{index}" if index % 2 else "application.submitted",
            target=term,
        )
    audit_record(actor=people["organizer_other_term"], action="term.secret", target=other_term)


def test_the_audit_page_lists_this_terms_events_only_and_filters_them(
    term, other_term, people, client_as
):
    _events(term, other_term, people, 3)
    audit_record(actor=people["reviewer"], action="review.saved", target=term)
    url = reverse("accounts:term_audit", args=[term.slug])
    client = client_as("organizer")

    everything = client.get(url).content.decode()
    by_person = client.get(url, {"person": "reviewer@"}).content.decode()
    by_action = client.get(url, {"action": "decision"}).content.decode()
    wrong_dates = client.get(url, {"since": "2030-01-02", "until": "2030-01-01"})

    assert "application.submitted" in everything and "review.saved" in everything
    assert "term.secret" not in everything
    assert "4 events" in everything
    assert "review.saved" in by_person and "application.submitted" not in by_person
    assert "decision.staged.1" in by_action and "review.saved" not in by_action
    assert wrong_dates.status_code == 400
    assert "The end is before the start." in wrong_dates.content.decode()


def test_dates_are_days_in_the_viewers_zone(term, people, client_as):
    event = audit_record(actor=people["organizer"], action="review.saved", target=term)
    # 23:30 on 1 March in Los Angeles is already 2 March in UTC.
    AuditEvent.objects.filter(pk=event.pk).update(
        occurred_at=dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
    )
    people["organizer"].time_zone = "America/Los_Angeles"
    people["organizer"].save()
    url = reverse("accounts:term_audit", args=[term.slug])
    client = client_as("organizer")

    on_the_first = client.get(url, {"since": "2026-03-01", "until": "2026-03-01"}).content.decode()
    on_the_second = client.get(url, {"since": "2026-03-02", "until": "2026-03-02"}).content.decode()

    assert "review.saved" in on_the_first
    assert "review.saved" not in on_the_second


def test_the_audit_page_pages_through_many_events_in_a_fixed_number_of_queries(
    term, other_term, people, client_as
):
    client = client_as("organizer")
    url = reverse("accounts:term_audit", args=[term.slug])
    _events(term, other_term, people, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _events(term, other_term, people, 120)
    with CaptureQueriesContext(connection) as many:
        page_one = client.get(url).content.decode()
    page_three = client.get(url, {"page": "3"}).content.decode()

    assert len(many.captured_queries) == len(one.captured_queries)
    assert "page 1 of 3" in page_one and "Older" in page_one
    assert "page 3 of 3" in page_three and "Newer" in page_three
