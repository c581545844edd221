from __future__ import annotations

import pytest

from cohortkit.scheduling.tests.factories import scheduling_term


@pytest.fixture
def fall(term):
    """The Fall 2022 term (26 Sep – 18 Nov; EU clocks change on 30 Oct, US on 6 Nov) with the
    scheduler's questions and the tracks intro and advanced."""
    return scheduling_term(term)
