"""Editing a run's solution by hand (move a participant, change a time, change the facilitator),
kept only when the validator accepts the result; and what one more facilitator would add."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction

from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.common.services import audit_record
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.selectors.instances import run_instance, run_solution
from cohortkit.scheduling.solver import (
    Instance,
    Solution,
    parse_solution,
    solution_to_json,
    validate_solution,
    what_if,
)
from cohortkit.sections.errors import ProblemsError


@dataclass(frozen=True)
class MoveParticipant:
    participant: str
    to_section: int


@dataclass(frozen=True)
class ChangeTime:
    section: int
    start: int


@dataclass(frozen=True)
class ChangeFacilitator:
    section: int
    facilitator: str


Edit = MoveParticipant | ChangeTime | ChangeFacilitator


def _apply(solution: Solution, edit: Edit, instance: Instance) -> Solution:
    sections = list(solution.sections)
    index = edit.to_section if isinstance(edit, MoveParticipant) else edit.section
    if not 0 <= index < len(sections):
        raise InvalidInputError("No such section in this run.")
    unplaced = solution.unplaced
    if isinstance(edit, MoveParticipant):
        if edit.participant not in {person.id for person in instance.participants}:
            raise InvalidInputError(f"No participant {edit.participant} in this run.")
        sections = [
            replace(
                section,
                participants=tuple(p for p in section.participants if p != edit.participant),
            )
            for section in sections
        ]
        target = sections[index]
        sections[index] = replace(target, participants=(*target.participants, edit.participant))
        unplaced = tuple(item for item in unplaced if item.id != edit.participant)
    elif isinstance(edit, ChangeTime):
        sections[index] = replace(sections[index], start=edit.start)
    else:
        sections[index] = replace(sections[index], facilitator=edit.facilitator)
    priority = {person.id: person.priority for person in instance.participants}
    objective = sum(
        priority.get(member, 0) for section in sections for member in section.participants
    )
    bound = max(solution.bound, objective)
    return replace(
        solution,
        sections=tuple(sections),
        unplaced=unplaced,
        objective=objective,
        bound=bound,
        status="optimal" if objective == bound else "feasible",
    )


def run_solution_edit(*, run: ScheduleRun, edit: Edit, actor: Any) -> Solution:
    """Apply one hand edit to the run's solution if the validator accepts the result.

    Raises :class:`ProblemsError` with every violation, and saves nothing, when the edited
    solution breaks a hard rule (or the run is not done or already published).
    """
    with transaction.atomic():
        run = ScheduleRun.objects.select_for_update().get(pk=run.pk)
        if not run.has_plan:
            raise ConflictError("Only a finished run can be edited.")
        if run.published_at is not None:
            raise ConflictError("This run is published; start a new run to change sections.")
        instance = run_instance(run)
        solution = parse_solution(run.solution)
        edited = _apply(solution, edit, instance)
        problems = validate_solution(instance, edited)
        if problems:
            raise ProblemsError("The change breaks a rule and was not saved.", problems)
        run.solution = solution_to_json(edited)
        run.placed = sum(len(section.participants) for section in edited.sections)
        run.objective = edited.objective
        run.bound = edited.bound
        run.save(update_fields=["solution", "placed", "objective", "bound"])
        audit_record(
            actor=actor,
            action="schedule_run.edit",
            target=run,
            details={"edit": type(edit).__name__, **edit.__dict__},
        )
    return edited


def run_what_if(*, run: ScheduleRun, track: str, start_slot: int, time_limit: float = 5.0) -> int:
    """How many more participants one more facilitator of ``track`` free for one meeting from
    ``start_slot`` would let the solver place, against the run's current solution."""
    instance = run_instance(run)
    try:
        return what_if(
            instance,
            track=track,
            start_slot=start_slot,
            time_limit=time_limit,
            baseline=run_solution(run),
        )
    except ValueError as error:
        raise InvalidInputError(str(error)) from error
