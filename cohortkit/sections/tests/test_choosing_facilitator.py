"""An organizer gives a section without a facilitator another of the term's facilitators: the
ones whose meetings would overlap are refused with the reason in names and the organizer's zone;
the new facilitator leads the meetings to come; audited; emailed once, even on a double submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse

from cohortkit.common.models import AuditEvent
from cohortkit.common.timezones import format_instant
from cohortkit.payments.pay import meetings_led
from cohortkit.sections.models import Meeting, Section
from cohortkit.sections.removing import section_facilitator_remove

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(days=3650)


@pytest.fixture
def leaderless(sections, people):
    """Weeks 6 to 8 of both sections are still to come; section A's facilitator was removed."""
    for section in sections.values():
        Meeting.objects.filter(section=section, week__gte=6).update(
            starts_at=F("starts_at") + LATER, ends_at=F("ends_at") + LATER
        )
    section_facilitator_remove(section=sections["a"], actor=people["organizer"])
    mail.outbox.clear()
    return sections


def _choose(term, section):
    return reverse("sections:facilitator_assign", args=[term.slug, section.pk])


def test_an_organizer_chooses_a_free_facilitator_and_they_and_the_members_are_emailed_once(
    term, people, leaderless, client_as, django_capture_on_commit_callbacks
):
    section = leaderless["a"]
    newcomer = people["facilitator_other_section"]
    organizer = client_as("organizer")
    rosters = organizer.get(reverse("sections:facilitator_sections", args=[term.slug]))
    page = organizer.get(_choose(term, section))

    with django_capture_on_commit_callbacks(execute=True):
        done = organizer.post(_choose(term, section), {"facilitator": newcomer.pk}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        again = organizer.post(_choose(term, section), {"facilitator": newcomer.pk}, follow=True)

    assert 'aria-label="Choose the facilitator of Introductory A"' in rosters.text
    assert page.status_code == 200 and "Choose the facilitator of Introductory A" in page.text
    candidates = page.text.split('data-testid="candidates"')[1].split("</ul>")[0]
    assert newcomer.name in candidates and "leads Introductory B" in candidates
    assert f"{newcomer.name} now facilitates Introductory A" in done.text
    assert Section.objects.get(pk=section.pk).facilitator_id == newcomer.pk
    assert again.status_code == 200  # the same choice again changes nothing
    assert sorted(message.to[0] for message in mail.outbox) == [
        newcomer.email,
        people["participant"].email,
    ]
    to_them = next(message for message in mail.outbox if message.to == [newcomer.email])
    assert to_them.subject == f"{term}: you now lead section Introductory A"
    assert "Its meetings of weeks 6, 7, 8 are yours to lead." in to_them.body
    to_member = next(m for m in mail.outbox if m.to == [people["participant"].email])
    assert f"{newcomer.name} now facilitates your section Introductory A" in to_member.body
    assert "from its meeting of week 6 on" in to_member.body
    assert AuditEvent.objects.filter(action="section.facilitator_assigned").count() == 1
    # The meetings to come are theirs on their timesheet; the ones held stay the old leader's.
    assert section in {
        meeting.section for meeting in meetings_led(term=term, user=newcomer, week=7)
    }
    assert section not in {m.section for m in meetings_led(term=term, user=newcomer, week=2)}
    assert [m.section for m in meetings_led(term=term, user=people["facilitator"], week=2)] == [
        section
    ]


def test_a_facilitator_whose_meeting_overlaps_is_refused_with_the_reason_in_local_time(
    term, people, leaderless, client_as
):
    section, theirs = leaderless["a"], leaderless["b"]
    clashing = people["facilitator_other_section"]
    # Section B's week 7 meeting now starts when A's week 6 meeting does.
    a6 = Meeting.objects.get(section=section, week=6)
    Meeting.objects.filter(section=theirs, week=7).update(
        starts_at=a6.starts_at, ends_at=a6.ends_at
    )
    organizer = client_as("organizer")
    page = organizer.get(_choose(term, section))
    refused = organizer.post(_choose(term, section), {"facilitator": clashing.pk})

    reason = (
        f"leads Introductory B in week 7, {format_instant(a6.starts_at, 'UTC')}, when "
        f"Introductory A meets (week 6, {format_instant(a6.starts_at, 'UTC')})"
    )
    assert f"Cannot: {reason}." in page.text
    assert f'id="facilitator-{clashing.pk}" value="{clashing.pk}" disabled' in page.text
    assert refused.status_code == 400
    assert f"{clashing.name} cannot lead Introductory A: they {reason}." in refused.text
    assert Section.objects.get(pk=section.pk).facilitator_id is None
    assert not AuditEvent.objects.filter(action="section.facilitator_assigned").exists()


@pytest.mark.parametrize("chosen", ["", "abc", "999999", "participant", "organizer_other_term"])
def test_someone_who_is_not_a_facilitator_of_the_term_is_refused(
    term, people, leaderless, client_as, chosen
):
    section = leaderless["a"]
    value = str(people[chosen].pk) if chosen in people else chosen
    refused = client_as("organizer").post(_choose(term, section), {"facilitator": value})

    assert refused.status_code == 400
    assert "Choose one of the term&#x27;s facilitators." in refused.text
    assert Section.objects.get(pk=section.pk).facilitator_id is None
    assert not mail.outbox


def test_a_section_that_has_a_facilitator_is_not_given_another(term, people, sections, client_as):
    organizer = client_as("organizer")
    page = organizer.get(_choose(term, sections["a"]))
    refused = organizer.post(
        _choose(term, sections["a"]), {"facilitator": people["facilitator_other_section"].pk}
    )

    assert f"Introductory A is led by {people['facilitator'].name}" in page.text
    assert refused.status_code == 409
    assert "already has a facilitator; remove them first" in refused.text
    assert Section.objects.get(pk=sections["a"].pk).facilitator_id == people["facilitator"].pk
