"""Fixtures of the calendar tests: a little curriculum for the matrix term (root conftest)."""

from __future__ import annotations

from typing import Any

import pytest

from cohortkit.programs.models import Assignment, Quiz, Track, Week


@pytest.fixture
def curriculum(term, sections):
    """Weeks 1–2 of the term: an assignment and a quiz for the introductory track each week, and
    an advanced-only quiz in week 1."""
    intro = Track.objects.get(term=term, slug="intro")
    advanced = Track.objects.get(term=term, slug="advanced")
    items: dict[str, Any] = {}
    for number in (1, 2):
        week = Week.objects.create(term=term, number=number, title=f"Week {number} topics")
        assignment = Assignment.objects.create(
            week=week, title=f"Essay {number}", prompt="Write.", minutes=60
        )
        quiz = Quiz.objects.create(week=week, title=f"Quiz {number}", minutes=10)
        assignment.tracks.add(intro)
        quiz.tracks.add(intro)
        items[f"essay_{number}"], items[f"quiz_{number}"] = assignment, quiz
    week_1 = Week.objects.get(term=term, number=1)
    advanced_quiz = Quiz.objects.create(week=week_1, title="Advanced quiz", minutes=10)
    advanced_quiz.tracks.add(advanced)
    items["advanced_quiz"] = advanced_quiz
    return items
