"""Sections and the weeks of a term: sections, memberships, meetings, attendance, apologies,
one-week visits, switching sections and the rosters facilitators read.

``cohortkit.scheduling`` (above this app) solves and publishes; publishing creates the sections,
memberships and meetings owned here. Everything a person does in the running term with their
section (take attendance, send an apology, visit or switch to another section, read the roster)
is here.

The models moved here from ``cohortkit.scheduling`` keep their database tables
(``scheduling_section``, ``scheduling_meeting``, … via ``Meta.db_table``): the move is done with
state-only ``SeparateDatabaseAndState`` migrations, so an existing database keeps its data and
nothing is copied or renamed. Regenerating the migrations instead would have forced every
existing deployment to rebuild its database.
"""
