"""Common: the bottom of every app: ``AuditEvent``, the refusal family (``errors.py``) and its
mapping to pages (``refusals.py``), time zones, text rules, currencies, shared form fields,
Markdown, backups and the periodic jobs."""
