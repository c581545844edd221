"""``python -m cohortkit.scheduling.solver``: see :mod:`cohortkit.scheduling.solver.cli`."""

from cohortkit.scheduling.solver.cli import run

run()
