from __future__ import annotations

import pytest

from cohortkit.scheduling.tests.factories import facilitator, participant, scheduling_term


@pytest.fixture
def fall(term):
    """The Fall 2022 term (26 Sep – 18 Nov; EU clocks change on 30 Oct, US on 6 Nov) with the
    scheduler's questions and the tracks intro and advanced."""
    return scheduling_term(term)


@pytest.fixture
def new_york_section(fall):
    """A facilitator in New York free Mondays 18:00–19:00 and four participants who can all make
    that hour in week 1: two in New York, one in London (23:00 BST), one in Kolkata (03:30 IST)."""
    lead = facilitator(fall, "America/New_York", "Mon 18:00-19:00")
    members = {
        "new_york_1": participant(fall, "America/New_York", "Mon 17:00-20:00"),
        "new_york_2": participant(fall, "America/New_York", "Mon 18:00-19:00"),
        "london": participant(fall, "Europe/London", "Mon 23:00-24:00"),
        "kolkata": participant(fall, "Asia/Kolkata", "Tue 03:30-04:30"),
    }
    return lead, members
