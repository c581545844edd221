"""Absurd numbers and dates in the organizer's forms are explained next to the field, never a 500:
a stipend of 1e30, a date of 9999-12-31 (which overflows once a zone is applied) (issue 8, item 12).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohortkit.programs.models import Term
from cohortkit.programs.tests.test_term_settings import _valid_post

pytestmark = pytest.mark.django_db


def test_a_stipend_of_1e30_is_explained_next_to_the_field(client_as, term):
    before = Term.objects.values().get(pk=term.pk)

    response = client_as("organizer").post(
        reverse("programs:term_settings", args=[term.slug]),
        _valid_post(term, stipend_amount="1e30"),
    )

    assert response.status_code == 400
    assert "That amount is too large." in response.content.decode()
    assert Term.objects.values().get(pk=term.pk) == before


@pytest.mark.parametrize(
    "field", ["starts_on", "ends_on", "participant_deadline_date", "facilitator_deadline_date"]
)
def test_a_date_of_9999_12_31_is_explained_next_to_the_field(client_as, term, field):
    response = client_as("organizer").post(
        reverse("programs:term_settings", args=[term.slug]),
        _valid_post(term, deadline_time_zone="America/Los_Angeles", **{field: "9999-12-31"}),
    )

    assert response.status_code == 400
    assert "Give a date between 1900 and 2199." in response.content.decode()
    assert f'id="id_{field}-error"' in response.content.decode()


def test_a_due_date_of_9999_12_31_is_refused_on_the_due_dates_page(client_as, term, sections):
    from cohortkit.quizzes.tests.factories import quiz_in

    quiz = quiz_in(term)
    response = client_as("organizer").post(
        reverse("coursework:due_dates", args=[term.slug]),
        {
            "item": f"quiz-{quiz.pk}",
            "section": str(sections["a"].pk),
            "due_date": "9999-12-31",
            "due_time": "23:59",
            "time_zone": "America/Los_Angeles",
        },
    )

    assert response.status_code == 400
    assert "Give a date between 1900 and 2199." in response.content.decode()
