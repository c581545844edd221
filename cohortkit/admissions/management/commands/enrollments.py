"""``cohortkit enrollments lapse`` and ``cohortkit enrollments carry-over --from A --to B``.

``carry-over`` invites the waitlist of A to B's; nobody is moved until they accept.

Run ``lapse`` from cron (every few minutes is plenty): offers whose ``confirm_by`` has passed
lapse and their places go to the waitlist. Running it again does nothing new.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.admissions.services.carrying_over import carry_over_invite
from cohortkit.admissions.services.confirming import enrollments_lapse
from cohortkit.common.errors import ServiceError
from cohortkit.programs.models import Term


class Command(BaseCommand):
    help = "Lapse offers past their confirmation deadline, or carry a waitlist to the next term."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        subcommands.add_parser("lapse", help="Lapse unanswered offers and offer their places.")
        carry = subcommands.add_parser(
            "carry-over",
            help="Invite a term's waitlist to the next term; each person accepts or declines.",
        )
        carry.add_argument("--from", dest="from_term", required=True, help="Slug of the term.")
        carry.add_argument("--to", dest="to_term", required=True, help="Slug of the next term.")

    def _term(self, slug: str, option: str) -> Term:
        term = Term.objects.filter(slug=slug).first()
        if term is None:
            raise CommandError(f"{option}: no term with the slug {slug!r}", returncode=2)
        return term

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "lapse":
            count = enrollments_lapse()
            self.stdout.write(f"{count} offer(s) lapsed; their places were offered on.")
            return
        from_term = self._term(options["from_term"], "--from")
        to_term = self._term(options["to_term"], "--to")
        try:
            count = carry_over_invite(from_term=from_term, to_term=to_term, actor=None)
        except ServiceError as error:
            raise CommandError(error.message, returncode=2) from error
        self.stdout.write(
            f"{count} waitlisted person(s) invited to the waitlist of {to_term}; "
            "each joins it only by accepting."
        )
