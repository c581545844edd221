"""The organizer's navigation, shown on every organizer page by ``includes/organizer_nav.html``.

Reads no database: the links are the term's organizer URLs, the current one marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

register = template.Library()

KINDS = (("participant", "Participants"), ("facilitator", "Facilitators"))


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class NavGroup:
    heading: str
    links: list[NavLink]


def _groups(slug: str) -> list[tuple[str, list[tuple[str, str, list[str]]]]]:
    """(heading, [(label, URL name, extra arguments)]) in the order an organizer meets them."""
    applications: list[tuple[str, str, list[str]]] = []
    for kind, label in KINDS:
        applications += [
            (f"{label}: ranking and decisions", "admissions:ranking", [kind]),
            (f"{label}: reviewers", "admissions:review_settings", [kind]),
            (f"{label}: deadlines and late links", "admissions:deadlines", [kind]),
            (f"{label}: import CSV", "admissions:applications_import", [kind]),
        ]
    return [
        ("Applications", applications),
        (
            "People and sections",
            [
                ("People and invitations", "accounts:term_invitations", []),
                ("Sections and scheduling", "scheduling:sections", []),
            ],
        ),
        (
            "The weeks",
            [
                ("Overview: attendance, homework, at risk", "coursework:overview", []),
                ("Due dates", "coursework:due_dates", []),
                ("Announcements", "community:announcements", []),
                ("Public questions", "community:questions_moderate", []),
                ("Inbox", "community:inbox", []),
            ],
        ),
        (
            "Money",
            [
                ("Stipends and pay", "payments:money", []),
                ("Timesheets", "payments:timesheet_review", []),
                ("Stipend eligibility", "payments:eligibility", []),
                ("Payout batches", "payments:batches", []),
                ("Pay settings", "payments:pay_settings", []),
            ],
        ),
        (
            "Finishing",
            [
                ("Completion", "completion:page", []),
                ("Completion rule", "completion:rule", []),
                ("End-of-course feedback", "completion:feedback_summary", []),
                ("Certificates", "certificates:organize", []),
            ],
        ),
        (
            "The term",
            [
                ("Term settings", "programs:term_settings", []),
                ("State: publish, finish, archive", "programs:term_state", []),
                ("Outbox: emails sent and failed", "programs:outbox", []),
                ("Run this again", "programs:term_copy", []),
                ("Audit", "accounts:term_audit", []),
            ],
        ),
    ]


@register.simple_tag(takes_context=True)
def organizer_nav(context: template.Context, term: Any) -> dict[str, Any]:
    """``{% organizer_nav term as nav %}``: the home link and every organizer page, grouped."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    here = (match.view_name, list(match.args) + list(match.kwargs.values())) if match else None
    slug = term.slug

    def link(label: str, name: str, extra: list[str]) -> NavLink:
        arguments = [slug, *extra]
        current = here is not None and here[0] == name and [str(a) for a in here[1]] == arguments
        return NavLink(label, reverse(name, args=arguments), current)

    return {
        "home": link("Organizer home", "organize:home", []),
        "groups": [
            NavGroup(heading, [link(*entry) for entry in entries])
            for heading, entries in _groups(slug)
        ],
    }
