"""The people page: members searched, sorted and filtered by role in the URL, in constant queries;
invitations withdrawn and roles removed after a confirmation (audited, never the last organizer)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.accounts import services
from cohortkit.accounts.models import Invitation, Membership, Role
from cohortkit.common.errors import ConflictError
from cohortkit.common.models import AuditEvent
from cohortkit.common.tables import PAGE_SIZE
from cohortkit.tests.factories import MembershipFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db


def _people(term):
    return reverse("accounts:term_invitations", args=[term.slug])


def test_the_people_page_is_paginated_in_constant_queries(client):
    term = TermFactory(slug="big-term")
    organizer = UserFactory(email="only.organizer@example.org")
    MembershipFactory(term=term, user=organizer, role=Role.ORGANIZER)
    client.force_login(organizer)
    client.get(_people(term))
    with CaptureQueriesContext(connection) as one:
        client.get(_people(term))
    for number in range(PAGE_SIZE + 5):
        MembershipFactory(
            term=term,
            user=UserFactory(email=f"p{number}@example.org"),
            role=Role.PARTICIPANT,
        )
        services.invitation_create(
            term=term, email=f"i{number}@example.org", role="reviewer", invited_by=organizer
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(_people(term))

    assert len(many) == len(one)
    assert page.text.count('data-testid="person-row"') == PAGE_SIZE
    assert "56 matches, page 1 of 2" in page.text


def test_the_people_page_searches_sorts_and_filters_by_role(term, people, client_as):
    ana = UserFactory(email="ana@uni.example", name="Ana Zapata")
    MembershipFactory(term=term, user=ana, role=Role.FACILITATOR)
    client = client_as("organizer")

    found = client.get(_people(term), {"q": "zapata uni"})
    facilitators = client.get(_people(term), {"role": "facilitator", "sort": "-email"})
    unknown_role = client.get(_people(term), {"role": "emperor"})

    assert found.text.count('data-testid="person-row"') == 1 and "ana@uni.example" in found.text
    rows = re.findall(r'data-testid="person-row"><td>[^<]*</td><td>([^<]+)</td>', facilitators.text)
    assert rows == sorted(
        ["facilitator@example.org", "facilitator_other_section@example.org", "ana@uni.example"],
        reverse=True,
    )
    assert 'aria-sort="descending"' in facilitators.text
    assert unknown_role.text.count('data-testid="person-row"') == 6


def test_an_organizer_withdraws_an_invitation_after_a_confirmation(
    term, people, client_as, client, django_capture_on_commit_callbacks
):
    organizer = client_as("organizer")
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(_people(term), {"email": "late@example.org", "role": "reviewer"})
    invitation = Invitation.objects.get(email="late@example.org")
    link = re.search(r"/accounts/invitations/\S+/", mail.outbox[0].body).group(0)
    url = reverse("accounts:invitation_revoke", args=[term.slug, invitation.pk])

    confirm = organizer.get(url)
    done = organizer.post(url, follow=True)
    again = organizer.post(url, follow=True)  # a double submit changes nothing
    invitee = UserFactory(email="late@example.org")
    client.force_login(invitee)
    opened = client.get(link)
    accepted = client.post(link)

    assert "the link in their email opens nothing" in confirm.text
    assert "The invitation to late@example.org is withdrawn" in done.text
    assert "late@example.org" not in done.text.split("Pending invitations")[1]
    assert again.status_code == 200
    assert opened.status_code == 409 and "withdrawn by the organizers" in opened.text
    assert "Accept invitation" not in opened.text
    assert accepted.status_code == 409 and "withdrawn by the organizers" in accepted.text
    assert not Membership.objects.filter(user=invitee).exists()
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 1


def test_an_accepted_invitation_cannot_be_withdrawn(term, people):
    invitation = services.invitation_create(
        term=term, email="participant@example.org", role="reviewer", invited_by=people["organizer"]
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=invitation.created_at)

    with pytest.raises(ConflictError, match="remove their role instead"):
        services.invitation_revoke(
            term=term, invitation_id=invitation.pk, actor=people["organizer"]
        )


def test_an_organizer_removes_a_role_and_the_person_loses_the_page(term, people, client_as):
    organizer = client_as("organizer")
    url = reverse("accounts:membership_revoke", args=[term.slug, people["reviewer"].pk, "reviewer"])
    reviews = reverse("admissions:review_assignments", args=[term.slug])
    before = client_as("reviewer").get(reviews)

    confirm = organizer.get(url)
    done = organizer.post(url, follow=True)
    again = organizer.post(url)

    assert before.status_code == 200
    assert f"will no longer be reviewer in {term}" in confirm.text
    assert f"{people['reviewer'].name} is no longer reviewer in {term}." in done.text
    assert again.status_code == 404  # the role is gone: nothing left to remove
    assert client_as("reviewer").get(reviews).status_code == 404
    event = AuditEvent.objects.get(action="membership.revoked")
    assert event.details["role"] == "reviewer" and event.term_id == term.pk


def test_the_last_organizer_role_cannot_be_removed(term, people, client_as):
    url = reverse(
        "accounts:membership_revoke", args=[term.slug, people["organizer"].pk, "organizer"]
    )

    refused = client_as("organizer").post(url)
    MembershipFactory(term=term, user=people["reviewer"], role=Role.ORGANIZER)
    allowed = client_as("organizer").post(url)

    assert refused.status_code == 409 and "only organizer: invite another organizer" in refused.text
    assert allowed.status_code == 302 and allowed["Location"] == reverse("accounts:profile")
    assert not Membership.objects.filter(user=people["organizer"], role="organizer").exists()


def test_a_withdrawn_invitation_is_emailed_once(
    term, people, client_as, django_capture_on_commit_callbacks
):
    organizer = client_as("organizer")
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(_people(term), {"email": "late@example.org", "role": "reviewer"})
    invitation = Invitation.objects.get(email="late@example.org")
    url = reverse("accounts:invitation_revoke", args=[term.slug, invitation.pk])

    confirm = organizer.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(url)  # a double submit

    assert "late@example.org is emailed that it was withdrawn" in confirm.text
    withdrawn = [message for message in mail.outbox if "withdrawn" in message.subject]
    assert len(withdrawn) == 1 and withdrawn[0].to == ["late@example.org"]
    assert withdrawn[0].subject == f"Your invitation to {term} was withdrawn"
    assert "withdrawn the invitation they sent you to join as reviewer" in withdrawn[0].body
    assert "the link in that email opens nothing any more" in withdrawn[0].body


def test_a_removed_role_is_emailed_once_with_the_roles_that_stay(
    term, people, client_as, django_capture_on_commit_callbacks
):
    reviewer = people["reviewer"]
    MembershipFactory(term=term, user=reviewer, role=Role.FACILITATOR)
    organizer = client_as("organizer")
    url = reverse("accounts:membership_revoke", args=[term.slug, reviewer.pk, "reviewer"])

    confirm = organizer.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_revoke(term=term, user=reviewer, role="reviewer", actor=None)

    assert "They are emailed that the role was removed" in confirm.text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reviewer.email]
    assert message.subject == f"{term}: you are no longer reviewer"
    assert f"Hello {reviewer.name}," in message.body
    assert f"{people['organizer'].name} has removed your role as reviewer in {term}" in message.body
    assert "Your other roles stay: facilitator." in message.body


def test_removing_the_last_organizer_role_shows_its_confirmation_page_again(
    term, people, client_as
):
    organizer = people["organizer"]
    url = reverse("accounts:membership_revoke", args=[term.slug, organizer.pk, "organizer"])

    refused = client_as("organizer").post(url)

    assert refused.status_code == 409
    assert f"Remove {organizer.name} as organizer?" in refused.text
    assert 'role="alert"' in refused.text and "only organizer: invite another" in refused.text
    assert "Back to people" in refused.text
    assert Membership.objects.filter(user=organizer, role="organizer").exists()
    assert not mail.outbox


def test_withdrawing_an_invitation_accepted_meanwhile_shows_its_page_again(term, people, client_as):
    invitation = services.invitation_create(
        term=term, email="participant@example.org", role="reviewer", invited_by=people["organizer"]
    )
    url = reverse("accounts:invitation_revoke", args=[term.slug, invitation.pk])
    organizer = client_as("organizer")
    confirm = organizer.get(url)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=invitation.created_at)

    refused = organizer.post(url)

    assert "Withdraw the invitation" in confirm.text
    assert refused.status_code == 409
    assert "Withdraw the invitation to participant@example.org?" in refused.text
    assert "has already accepted this invitation; remove their role instead" in refused.text
    assert "accepted it" in refused.text
    assert Invitation.objects.get().revoked_at is None
