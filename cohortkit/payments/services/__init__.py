"""Writes of money, one module per thing a person does: ``stipends`` (an organizer verifies
eligibility; completion accrues), ``rates`` (pay settings, a facilitator's rate), ``timesheets``
(a facilitator submits, an organizer returns or approves), ``ledger`` (an organizer's
adjustment, and the one way an entry is written), ``batches`` (paying out).

Every function is keyword-only, validates first, runs in one transaction, records an
``AuditEvent`` and refuses with the ``cohortkit.common.errors`` family. Nothing here updates or
deletes a ledger entry (the database would refuse): a correction is a new entry. The rules both
these and the selectors use (rounding, rates, balances) are in ``cohortkit.payments.pay``.
"""
