"""Writes of section scheduling, by what the organizer does:

- ``instances``: build the solver's instance from the term's people (or read an imported one);
- ``runs``: queue, solve (in the worker, with a lease), expire and restart runs;
- ``staleness``: whether the term changed under a run since it was made;
- ``editing``: hand edits of a run's solution, and what one more facilitator would add;
- ``daylight_saving``: members whose meeting a clock change moves out of their availability;
- ``publishing``: turn a solution into sections, memberships and meetings, and email everyone.

Refusals are the ``cohortkit.common.errors`` family (``sections.errors.ProblemsError`` when every
broken rule is listed).
"""
