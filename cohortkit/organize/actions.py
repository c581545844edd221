"""What an organizer should do next, worked out from where the term stands, each with the page
that resolves it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from cohortkit.organize.selectors import TermHome


@dataclass(frozen=True)
class NextAction:
    text: str
    url: str
    link_text: str


def _count(number: int, one: str, many: str) -> str:
    """``1 timesheet waits`` / ``3 timesheets wait``."""
    return f"{number} {one if number == 1 else many}"


def next_actions(home: TermHome) -> list[NextAction]:
    """The open tasks in the order of the term's flow; an empty list when nothing waits."""
    slug = home.term.slug
    actions: list[NextAction] = []

    def add(number: int, one: str, many: str, rest: str, url: str, link_text: str) -> None:
        if number:
            actions.append(NextAction(f"{_count(number, one, many)} {rest}", url, link_text))

    for counts in home.applications:
        kind = counts.label.lower()
        reviewers = reverse("admissions:review_settings", args=[slug, counts.kind])
        one, many = f"{kind} application has", f"{kind} applications have"
        add(counts.unassigned, one, many, "no reviewer assigned", reviewers, "Assign reviewers")
        add(counts.unreviewed, one, many, "no review yet", reviewers, "See reviewers' progress")
    for decisions in home.decisions:
        add(
            decisions.staged,
            "decision is",
            "decisions are",
            f"staged for {decisions.label.lower()}s and not released",
            reverse("admissions:ranking", args=[slug, decisions.kind]),
            "Review and release",
        )
    if not home.sections:
        add(
            sum(counts.confirmed for counts in home.enrollments),
            "person has",
            "people have",
            "confirmed a place and no sections are published",
            reverse("scheduling:sections", args=[slug]),
            "Form sections",
        )
    overview = reverse("coursework:overview", args=[slug])
    if home.week is not None:
        unrecorded = home.week.held_unrecorded
        add(
            unrecorded,
            "meeting",
            "meetings",
            f"of week {home.week.number} took place and "
            f"{'has' if unrecorded == 1 else 'have'} no attendance yet",
            overview,
            "See attendance",
        )
    add(
        home.homework_awaiting_feedback,
        "answer waits",
        "answers wait",
        "for a facilitator's feedback",
        overview,
        "See homework",
    )
    add(
        home.timesheets_waiting,
        "timesheet waits",
        "timesheets wait",
        "for approval",
        reverse("payments:timesheet_review", args=[slug]),
        "Approve timesheets",
    )
    add(
        home.eligibility_pending,
        "person waits",
        "people wait",
        "for a stipend eligibility check",
        reverse("payments:eligibility", args=[slug]),
        "Check eligibility",
    )
    add(
        home.questions_waiting,
        "public question waits",
        "public questions wait",
        "for an organizer",
        reverse("community:questions_moderate", args=[slug]),
        "Answer questions",
    )
    add(
        home.conversations_open,
        "private message waits",
        "private messages wait",
        "for an answer",
        reverse("community:inbox", args=[slug]),
        "Open the inbox",
    )
    return actions
