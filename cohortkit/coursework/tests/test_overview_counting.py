"""The overview's counts when one person has two memberships covering the same week: they are
expected once, at the meeting of the membership that started last, as ``term_facts`` says."""

from __future__ import annotations

import pytest

from cohortkit.completion.tests.helpers import AFTER_THE_TERM
from cohortkit.coursework.overview.counting import BY_SECTION, BY_TRACK, attendance_counts
from cohortkit.coursework.overview.queries import term_facts
from cohortkit.programs.models import Track
from cohortkit.sections.models import SectionMembership

pytestmark = pytest.mark.django_db


def test_two_memberships_covering_a_week_count_one_person_not_recorded(term, people, sections):
    participant = people["participant"]  # in section A from week 1
    SectionMembership.objects.create(section=sections["b"], user=participant, from_week=1)
    intro = Track.objects.get(term=term, slug="intro")

    by_track = attendance_counts(term=term, now=AFTER_THE_TERM, by=BY_TRACK)
    by_section = attendance_counts(term=term, now=AFTER_THE_TERM, by=BY_SECTION)

    assert by_track[(intro.pk, 1)].unrecorded == 1  # one person, not two
    expected = term_facts(term=term, now=AFTER_THE_TERM).expected[(participant.pk, 1)]
    assert expected.section_id == sections["b"].pk
    assert by_section[(sections["b"].pk, 1)].unrecorded == 1
    assert (sections["a"].pk, 1) not in by_section or not by_section[
        (sections["a"].pk, 1)
    ].unrecorded
