"""An organizer removes a section's facilitator: a confirmation that names the meetings losing
their facilitator and who is emailed; the section keeps its members and shows it has no
facilitator; the meetings held keep who led them; audited; emailed once, even on a double submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse

from cohortkit.common.models import AuditEvent
from cohortkit.payments.pay import meetings_led
from cohortkit.sections.models import Meeting, Section, SectionMembership

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(days=3650)


def _weeks_led(term, person):
    """The weeks whose meeting counts as ``person``'s on their timesheet."""
    return [week for week in range(1, 9) if meetings_led(term=term, user=person, week=week)]


def _remove(term, section):
    return reverse("sections:facilitator_remove", args=[term.slug, section.pk])


@pytest.fixture
def coming(sections):
    """Weeks 6 to 8 of section A are still to come (the term's dates are in the past)."""
    Meeting.objects.filter(section=sections["a"], week__gte=6).update(
        starts_at=F("starts_at") + LATER, ends_at=F("ends_at") + LATER
    )
    return sections


def test_an_organizer_removes_the_facilitator_after_a_confirmation(
    term, people, coming, client_as, django_capture_on_commit_callbacks
):
    section = coming["a"]
    facilitator, participant = people["facilitator"], people["participant"]
    organizer = client_as("organizer")
    rosters = reverse("sections:facilitator_sections", args=[term.slug])
    before = organizer.get(rosters)

    confirm = organizer.get(_remove(term, section))
    with django_capture_on_commit_callbacks(execute=True):
        done = organizer.post(_remove(term, section), {"reason": "Moved away"}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = organizer.post(_remove(term, section), follow=True)
    own_page = client_as("participant").get(reverse("sections:my_sections", args=[term.slug]))

    assert 'aria-label="Remove the facilitator of Introductory A"' in before.text
    assert f"Remove {facilitator.name} as the facilitator of Introductory A?" in confirm.text
    losing = confirm.text.split('data-testid="meetings-losing"')[1].split("</ul>")[0]
    assert [f"Week {week}:" in losing for week in (5, 6, 7, 8)] == [False, True, True, True]
    assert "2 people</strong>, once each" in confirm.text
    assert f"1 member of the section: {participant.name}" in confirm.text
    assert "keeps its members" in confirm.text and "cannot be undone" in confirm.text
    assert f"{facilitator.name} no longer facilitates Introductory A" in done.text
    assert 'data-testid="no-facilitator"' in done.text
    assert "Introductory A already had no facilitator." in again.text
    assert Section.objects.get(pk=section.pk).facilitator is None
    assert SectionMembership.objects.filter(section=section, user=participant).exists()
    assert "Introductory A" in own_page.text and "none for now" in own_page.text
    to_facilitator = [m for m in mail.outbox if m.to == [facilitator.email]]
    to_member = [m for m in mail.outbox if m.to == [participant.email]]
    assert len(to_facilitator) == 1 and len(to_member) == 1 and len(mail.outbox) == 2
    assert to_facilitator[0].subject == f"{term}: you no longer lead section Introductory A"
    assert "The meetings of weeks 6, 7, 8 are no longer yours to lead." in to_facilitator[0].body
    assert "Their reason: Moved away" in to_facilitator[0].body
    assert to_member[0].subject == f"{term}: section Introductory A has no facilitator for now"
    assert f"{facilitator.name} no longer facilitates your section" in to_member[0].body
    assert "You stay in the section" in to_member[0].body
    assert "Moved away" not in to_member[0].body
    event = AuditEvent.objects.get(action="section.facilitator_removed")
    assert event.details["weeks_without_leader"] == [6, 7, 8] and event.term_id == term.pk


def test_the_meetings_held_keep_who_led_them_and_a_handed_on_one_its_leader(term, people, coming):
    from cohortkit.sections.removing import section_facilitator_remove

    section = coming["a"]
    facilitator, other = people["facilitator"], people["facilitator_other_section"]
    Meeting.objects.filter(section=section, week=7).update(led_by=other)
    led_before = _weeks_led(term, facilitator)

    removed = section_facilitator_remove(section=section, actor=people["organizer"])

    led_after = _weeks_led(term, facilitator)
    assert removed
    assert led_before == [1, 2, 3, 4, 5, 6, 8] and led_after == [1, 2, 3, 4, 5]
    leaders = dict(Meeting.objects.filter(section=section).values_list("week", "led_by"))
    assert leaders == {week: facilitator.pk for week in range(1, 6)} | {
        6: None,
        7: other.pk,
        8: None,
    }


def test_only_organizers_remove_a_facilitator(term, people, sections, client_as):
    url = _remove(term, sections["a"])

    assert client_as("facilitator").post(url).status_code == 403
    assert client_as("participant").get(url).status_code == 403
    assert client_as("organizer_other_term").post(url).status_code == 404
    assert Section.objects.get(pk=sections["a"].pk).facilitator == people["facilitator"]
    assert not mail.outbox


def test_an_apology_to_a_section_without_a_facilitator_is_kept_and_emails_nobody(
    term, people, sections, django_capture_on_commit_callbacks
):
    from cohortkit.sections.attendance import apology_send
    from cohortkit.sections.removing import section_facilitator_remove

    meeting = sections["a"].meetings.get(week=4)
    before = meeting.starts_at - dt.timedelta(days=1)
    section_facilitator_remove(section=sections["a"], actor=people["organizer"], now=before)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        apology = apology_send(
            meeting=Meeting.objects.get(pk=meeting.pk),
            user=people["participant"],
            reason="Ill",
            now=before,
        )

    assert apology.reason == "Ill" and not mail.outbox


def test_a_changed_count_shows_the_confirmation_again_and_changes_nothing(
    term, people, coming, client_as
):
    section = coming["a"]
    organizer = client_as("organizer")
    confirm = organizer.get(_remove(term, section))
    SectionMembership.objects.create(section=section, user=people["reviewer"], from_week=1)

    refused = organizer.post(_remove(term, section), {"expected_emails": "2"})

    assert 'name="expected_emails" value="2"' in confirm.text
    assert refused.status_code == 409
    assert "Removing the facilitator now emails 3 people, not the 2 you confirmed" in refused.text
    assert 'role="alert"' in refused.text and 'name="expected_emails" value="3"' in refused.text
    assert Section.objects.get(pk=section.pk).facilitator == people["facilitator"]
    assert not mail.outbox
    assert not AuditEvent.objects.filter(action="section.facilitator_removed").exists()
