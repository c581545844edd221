"""``cohortkit demo``: load the demo program, terms and accounts; again, it changes nothing."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cohortkit.accounts.models import User
from cohortkit.completion.selectors import confirmed_completers
from cohortkit.demo.applications import demo_applications_load, demo_reviews_load
from cohortkit.demo.finished import demo_finished_term_load
from cohortkit.demo.money import demo_money_finished_term_load, demo_money_running_term_load
from cohortkit.demo.questions import demo_questions_load
from cohortkit.demo.running import demo_running_term_load
from cohortkit.demo.terms import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load Introduction to ML Safety with a finished Fall 2022 term and a term open today."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--today",
            help="Pretend the demo is loaded on this date (YYYY-MM-DD); default: today.",
        )
        parser.add_argument(
            "--without-accounts",
            action="store_true",
            help="Load the program and terms only, without demo accounts or population.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(
                    f"--today: must be a date like 2026-09-01, got {options['today']!r}",
                    returncode=2,
                ) from error
        with transaction.atomic():
            summary = demo_load(today=today, with_accounts=not options["without_accounts"])
            applications = None
            running = None
            finished = None
            if summary.accounts:
                applications = demo_applications_load(
                    past_term=summary.past_term,
                    current_term=summary.current_term,
                    now=timezone.now(),
                )
                demo_reviews_load(
                    term=summary.current_term,
                    reviewer=User.objects.get(email="reviewer@example.org"),
                    now=timezone.now(),
                )
                running = demo_running_term_load(
                    today=today or timezone.localdate(), now=timezone.now()
                )
                demo_questions_load(
                    term=summary.current_term,
                    asker=User.objects.get(email="participant@example.org"),
                    organizer=User.objects.get(email="organizer@example.org"),
                )
                demo_money_running_term_load(term=running.term, today=today or timezone.localdate())
                finished = demo_finished_term_load(term=summary.past_term)
                # The finished term's money follows from its confirmed completions.
                demo_money_finished_term_load(
                    term=summary.past_term,
                    completed=confirmed_completers(term=summary.past_term),
                )
        for load in summary.term_loads:
            self.stdout.write(load.describe())
        if summary.accounts:
            self.stdout.write(
                f"Synthetic applicants: {summary.population_total} accounts "
                f"({summary.population_created} new)."
            )
        if applications is not None:
            self.stdout.write(
                f"Applications: {applications.total} submitted to {summary.current_term.name} "
                f"({applications.created} new); forms loaded: {applications.forms}."
            )
        if running is not None:
            self.stdout.write(
                f"Running term {running.term.slug} (week 3 today): {running.sections} sections"
                + (f", {running.participants} participants" if running.created else ", unchanged")
                + "."
            )
        if finished is not None:
            self.stdout.write(
                f"Finished term {finished.term.slug}: {finished.completed} completed, "
                f"{finished.certificates} certificates"
                + ("." if finished.created else " (unchanged).")
            )
        if summary.accounts:
            self.stdout.write("")
            self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
            width = max(len(account.email) for account in summary.accounts)
            # The demo people of the running term: their section, week, homework and quizzes
            # are there, so the summary says so (the account list alone names older terms).
            running_roles = {
                "participant@example.org": "participant",
                "facilitator@example.org": "facilitator",
            }
            for account in summary.accounts:
                roles = account.roles
                if running is not None and account.email in running_roles:
                    roles += (
                        f"; {running_roles[account.email]} of {running.term.name} "
                        f"(running now, /terms/{running.term.slug}/: their section, week, "
                        "homework and quizzes are there)"
                    )
                self.stdout.write(f"  {account.email:<{width}}  {roles}")
        self.stdout.write("")
        self.stdout.write(
            f"Open http://127.0.0.1:8000/terms/{summary.current_term.slug}/ "
            f"({summary.current_term.name}; Fall 2022 is /terms/{summary.past_term.slug}/)"
        )
        if running is not None:
            self.stdout.write(
                f"A term in its third week: http://127.0.0.1:8000/terms/{running.term.slug}/ "
                "(log in as participant@example.org or facilitator@example.org)"
            )
