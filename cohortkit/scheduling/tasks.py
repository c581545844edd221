from __future__ import annotations

from django_tasks import task

from cohortkit.scheduling.services import runs


@task()
def schedule_run_execute(*, run_id: int) -> bool:
    """Background half of ``schedule_run_create``: takes the run's id and calls the service."""
    return runs.schedule_run_execute(run_id=run_id)
