"""Certificates on other apps' pages, each with one line in their templates: the term page's
links to finishing the term (feedback, completion, the viewer's certificates) and the viewer's
certificates on their profile."""

from __future__ import annotations

from typing import Any

from django import template

from cohortkit.accounts.rules import term_roles
from cohortkit.certificates.selectors import (
    certificate_roles_due,
    certificates_of_user,
    linkedin_add_url,
)

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("certificates/_term_links.html", takes_context=True)
def completion_links(context: template.Context, term: Any) -> dict[str, Any]:
    """The term page's links to finishing the term: feedback, completion and certificates."""
    user = _user(context)
    roles = term_roles(user, term) if user is not None else frozenset()
    return {
        "term": term,
        "roles": roles,
        "certificates_due": certificate_roles_due(term=term, user=user) if roles else [],
        "certificates": list(certificates_of_user(user=user).filter(term=term)) if roles else [],
    }


@register.inclusion_tag("certificates/_profile.html", takes_context=True)
def my_certificates(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    if user is None or not user.is_authenticated:
        return {"certificates": []}
    return {
        "certificates": [
            (certificate, linkedin_add_url(certificate))
            for certificate in certificates_of_user(user=user)
        ]
    }
