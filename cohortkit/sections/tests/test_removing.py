"""An organizer removes a member from a section from a given week: after a confirmation, audited,
the person emailed, harmless when clicked twice; the weeks before stay as they were."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.common.models import AuditEvent
from cohortkit.sections.models import SectionMembership

pytestmark = pytest.mark.django_db


def _remove(term, section, person):
    return reverse("sections:member_remove", args=[term.slug, section.pk, person.pk])


def test_an_organizer_removes_a_participant_from_a_week_on(
    term, people, sections, client_as, django_capture_on_commit_callbacks
):
    organizer, participant = client_as("organizer"), people["participant"]
    url = _remove(term, sections["a"], participant)
    overview = organizer.get(reverse("sections:facilitator_sections", args=[term.slug]))

    confirm = organizer.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        done = organizer.post(url, {"from_week": "3", "reason": "Moved cities"}, follow=True)
        again = organizer.post(url, {"from_week": "3"}, follow=True)
    own_page = client_as("participant").get(reverse("sections:my_sections", args=[term.slug]))

    assert f'aria-label="Remove {participant.name} from the section">Remove from' in overview.text
    assert f"Remove {participant.name} from Introductory A?" in confirm.text
    assert "They are emailed" in confirm.text and "This cannot be undone" in confirm.text
    assert f"{participant.name} is no longer in Introductory A from week 3" in done.text
    assert f"{participant.name} was already not in Introductory A." in again.text
    membership = SectionMembership.objects.get(section=sections["a"], user=participant)
    assert (membership.from_week, membership.to_week) == (1, 2)
    assert "Introductory A" not in own_page.text
    [email] = [message for message in mail.outbox if participant.email in message.to]
    assert "no longer in section Introductory A from week 3" in email.subject
    assert "Their reason: Moved cities" in email.body
    event = AuditEvent.objects.get(action="section_membership.ended")
    assert event.details["from_week"] == 3 and event.term_id == term.pk


def test_removing_from_the_first_week_ends_the_membership_altogether(
    term, people, sections, client_as
):
    response = client_as("organizer").post(
        _remove(term, sections["a"], people["participant"]), {"from_week": "1"}
    )

    assert response.status_code == 302
    assert not SectionMembership.objects.filter(user=people["participant"]).exists()


def test_a_week_outside_the_term_is_refused_and_changes_nothing(term, people, sections, client_as):
    response = client_as("organizer").post(
        _remove(term, sections["a"], people["participant"]), {"from_week": "99"}
    )

    assert response.status_code == 400
    assert f"Choose a week from 1 to {term.week_count}." in response.text
    assert SectionMembership.objects.get(user=people["participant"]).to_week is None
    assert not mail.outbox


def test_the_section_facilitator_cannot_remove_members(term, people, sections, client_as):
    url = _remove(term, sections["a"], people["participant"])

    assert client_as("facilitator").post(url, {"from_week": "2"}).status_code == 403
    assert client_as("organizer_other_term").post(url, {"from_week": "2"}).status_code == 404
    assert SectionMembership.objects.get(user=people["participant"]).to_week is None
