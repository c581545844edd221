"""Admissions: application forms and their questions, applications and answers, deadlines and
extensions, reviews and the rubric, decisions, enrollments (offers, the waitlist) and carry-over
to the next term. Packages by what a person does: ``services/``, ``selectors/``, ``views/``,
``api/`` (applying, reviewing, deciding, confirming…)."""
