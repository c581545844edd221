"""Payments: the money ledger: stipend eligibility and accrual, facilitators' rates and
timesheets, adjustments, payout batches and their export files (``services/`` by what a person
does; ``pay.py`` the rules reads and writes share)."""
