"""Admissions: application forms and answers, applying, reviewing and deciding (offers,
waitlist, extensions, carry-over), CSV import and export of applications."""
