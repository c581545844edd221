"""Fixtures of the payments tests: the matrix term (two sections, a meeting a week) with money."""

from __future__ import annotations

from typing import Any

import pytest

from cohortkit.payments.models import EligibilityStatus
from cohortkit.payments.services.stipends import stipend_eligibility_set


@pytest.fixture
def money(term, people, sections) -> dict[str, Any]:
    """The matrix term with the participant verified eligible."""
    stipend_eligibility_set(
        term=term,
        user=people["participant"],
        status=EligibilityStatus.ELIGIBLE,
        actor=people["organizer"],
    )
    return {"term": term, "people": people, "sections": sections}
