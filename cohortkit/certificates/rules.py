"""Who may see and do what with certificates.

The verification page, its JSON and PDF are public: an employer needs no account. The signed
credential is downloaded by its holder only; revoking is for the term's organizers.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cohortkit.accounts.rules import is_organizer
from cohortkit.certificates.models import Certificate


def require_holder(user: Any, certificate: Certificate) -> None:
    """Anyone but the holder gets 404: nothing says whose certificate it is."""
    if not user.is_authenticated or user.pk != certificate.user_id:
        raise Http404("No such certificate")


def can_manage(user: Any, certificate: Certificate) -> bool:
    return is_organizer(user, certificate.term)


def can_change(user: Any, certificate: Certificate) -> bool:
    """The holder or an organizer of the term may change a certificate (its name, its status)."""
    return user.pk == certificate.user_id or can_manage(user, certificate)
