"""``cohortkit payouts export --batch ID --format csv|paypal|wise [-o FILE]`` and
``cohortkit payouts list --term SLUG --json`` (``../shared/contracts/payouts.md``)."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cohortkit.common.currencies import format_minor
from cohortkit.payments.exports import FORMATS, NotExportableError, batch_export
from cohortkit.payments.models import PayoutBatch
from cohortkit.payments.services.batches import payout_batch_mark_exported
from cohortkit.programs.models import Term


class Command(BaseCommand):
    help = "Payout batches: export a frozen batch's file, list a term's batches."

    def add_arguments(self, parser: ArgumentParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True)
        export = subcommands.add_parser("export", help="Write a frozen batch's payout file.")
        export.add_argument("--batch", required=True, help="The batch id.")
        export.add_argument("--format", required=True, choices=FORMATS, dest="file_format")
        export.add_argument("-o", "--output", help="Write here instead of standard output.")
        listing = subcommands.add_parser("list", help="One JSON object a line per batch.")
        listing.add_argument("--term", required=True, help="The term's slug.")
        listing.add_argument("--json", action="store_true", help="JSON lines (the only format).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._list(options)

    def _export(self, options: dict[str, Any]) -> None:
        batch_id = str(options["batch"]).strip()
        batch = (
            PayoutBatch.objects.select_related("term").filter(pk=int(batch_id)).first()
            if batch_id.isdigit()
            else None
        )
        if batch is None:
            raise CommandError(f"--batch: no payout batch {batch_id}", returncode=2)
        try:
            body = batch_export(batch, options["file_format"])
        except NotExportableError as error:
            raise CommandError(f"--batch: {error}", returncode=2) from error
        payout_batch_mark_exported(batch=batch, actor=None)
        if options.get("output"):
            Path(options["output"]).write_bytes(body)
        else:
            sys.stdout.buffer.write(body)
            sys.stdout.flush()

    def _list(self, options: dict[str, Any]) -> None:
        term = Term.objects.filter(slug=options["term"]).first()
        if term is None:
            raise CommandError(f"--term: no term {options['term']!r}", returncode=2)
        for batch in PayoutBatch.objects.filter(term=term).order_by("id"):
            total = (
                batch.total_minor
                if batch.total_minor is not None
                else sum(line.amount_minor for line in batch.lines.all())
            )
            self.stdout.write(
                json.dumps(
                    {
                        "id": batch.pk,
                        "status": batch.status,
                        "currency": batch.currency,
                        "total": format_minor(total, batch.currency),
                        "lines": (
                            batch.line_count
                            if batch.line_count is not None
                            else batch.lines.count()
                        ),
                        "sha256": batch.sha256,
                    }
                )
            )
