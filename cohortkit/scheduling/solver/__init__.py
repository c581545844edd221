"""Section scheduling solver: a pure library with no Django import.

The Django side needs only these names:

* :func:`parse_instance` / :func:`instance_to_json` and :func:`solution_to_json` /
  :func:`parse_solution` for the contract's JSON; :class:`InstanceError` for invalid input.
* :func:`solve` to form sections within a time limit, reporting :class:`Progress`.
* :func:`validate_solution` to check any solution, including one edited by hand.
* :func:`what_if` for "how many more with one more facilitator at this time".
"""

from cohortkit.scheduling.solver.instance_io import (
    InstanceError,
    SolutionFormatError,
    instance_to_json,
    load_instance,
    load_solution,
    parse_instance,
    parse_solution,
    solution_to_json,
)
from cohortkit.scheduling.solver.model import (
    Facilitator,
    Instance,
    LockedSection,
    Participant,
    Progress,
    Section,
    Solution,
    Unplaced,
)
from cohortkit.scheduling.solver.solve import solve
from cohortkit.scheduling.solver.validate import section_violations, validate_solution
from cohortkit.scheduling.solver.whatif import what_if

__all__ = [
    "Facilitator",
    "Instance",
    "InstanceError",
    "LockedSection",
    "Participant",
    "Progress",
    "Section",
    "Solution",
    "SolutionFormatError",
    "Unplaced",
    "instance_to_json",
    "load_instance",
    "load_solution",
    "parse_instance",
    "parse_solution",
    "section_violations",
    "solution_to_json",
    "solve",
    "validate_solution",
    "what_if",
]
