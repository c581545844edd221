"""Permission rows of the scheduling pages that are not in the central matrix."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import ORGANIZER_ONLY

POST_ONLY: dict[str, Any] = {
    "scheduling:run_restart": lambda term: [term.slug, 1],
    "scheduling:run_stop": lambda term: [term.slug, 1],
}


def _schedule_run(term: Any) -> Any:
    from cohortkit.scheduling.tests.factories import ScheduleRunFactory

    return ScheduleRunFactory(term=term)


# The confirmation before publishing (of a run that places nobody: it says so).
ROWS: dict[str, Any] = {
    "scheduling:run_publish_confirm": (
        lambda term: [term.slug, _schedule_run(term).pk],
        ORGANIZER_ONLY,
    ),
}
