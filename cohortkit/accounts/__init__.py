"""Accounts: ``User`` (email login, time zone, two-factor), ``Membership(term, user, role)``,
``Invitation``, ``ApiToken``, login limits, and ``rules.py``: who holds which role in a term."""
