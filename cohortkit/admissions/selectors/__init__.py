"""Reads of admissions: applying (forms, one's own application and deadline), reviewing,
ranking, deciding, and the CSV export."""
