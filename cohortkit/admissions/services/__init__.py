"""Writes of admissions, one module per thing a person does: applying, extending deadlines,
importing applications, loading forms, reviewing, deciding, confirming an offer, carrying over."""
