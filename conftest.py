"""Fixtures every test can use: people in each role of a term, and a signed-in client per role."""

from __future__ import annotations

import pytest
from django.test import Client

from cohortkit.accounts.models import Role
from cohortkit.tests.factories import MembershipFactory, TermFactory, UserFactory

ROLES = (
    "anonymous",
    "applicant",
    "participant",
    "facilitator_other_section",
    "facilitator",
    "reviewer",
    "organizer_other_term",
    "organizer",
)


@pytest.fixture
def term(db):
    return TermFactory(slug="fall-2022", name="Fall 2022")


@pytest.fixture
def other_term(db):
    return TermFactory(slug="spring-2023", name="Spring 2023")


@pytest.fixture
def people(term, other_term):
    """One person per role of the permission matrix (anonymous has none)."""
    people = {role: UserFactory(email=f"{role}@example.org") for role in ROLES[1:]}
    MembershipFactory(term=term, user=people["participant"], role=Role.PARTICIPANT)
    MembershipFactory(term=term, user=people["facilitator"], role=Role.FACILITATOR)
    MembershipFactory(term=term, user=people["facilitator_other_section"], role=Role.FACILITATOR)
    MembershipFactory(term=term, user=people["reviewer"], role=Role.REVIEWER)
    MembershipFactory(term=term, user=people["organizer"], role=Role.ORGANIZER)
    MembershipFactory(term=other_term, user=people["organizer_other_term"], role=Role.ORGANIZER)
    return people


@pytest.fixture
def client_as(people):
    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return make
