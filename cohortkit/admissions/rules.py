"""Who may see and change what in admissions: the one place the pages and the API ask.

Outsiders get 404 (nothing reveals that a private page exists), members without the right 403.
Plain predicates are ``can_…(…) -> bool``; ``require_…`` raise ``Http404``/``PermissionDenied``
and return what they looked up, so a view or route starts with one call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import can_view_public_page, is_organizer, require_term_role
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    CarryOverInvitation,
    Enrollment,
    EnrollmentStatus,
)
from cohortkit.admissions.selectors.applying import application_of, form_get, form_get_by_slug
from cohortkit.admissions.selectors.deciding import carry_over_invitation_by_token
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_get

REVIEW_ROLES = (Role.REVIEWER, Role.ORGANIZER)


def can_manage_applications(user: Any, term: Term) -> bool:
    """Organizers manage a term's forms, deadlines, reviews and decisions."""
    return is_organizer(user, term)


def can_see_form(user: Any, form: ApplicationForm) -> bool:
    """Anyone may see the form of a published term; members also that of an unpublished one."""
    return can_view_public_page(user, form.term)


def can_see_applicant_names(form: ApplicationForm, roles: frozenset[str]) -> bool:
    """Blind review hides names and email addresses from everyone but organizers."""
    return not form.blind_review or Role.ORGANIZER in roles


def can_open_for_review(user: Any, roles: frozenset[str], application: Application) -> bool:
    """Organizers open any submitted application of the term; reviewers those assigned to them."""
    if application.status != ApplicationStatus.SUBMITTED:
        return False
    if Role.ORGANIZER in roles:
        return True
    return application.review_assignments.filter(reviewer_id=getattr(user, "pk", None)).exists()


def can_score(user: Any, application: Application) -> bool:
    """Only a reviewer assigned to the application scores it (organizers too, once assigned)."""
    return application.review_assignments.filter(reviewer_id=getattr(user, "pk", None)).exists()


def can_see_own_decision(user: Any, application: Application | None) -> bool:
    """A person sees the decision on their own application once they have submitted it."""
    return (
        application is not None
        and application.applicant_id == getattr(user, "pk", None)
        and application.status != ApplicationStatus.DRAFT
    )


def can_answer_carry_over(user: Any, invitation: CarryOverInvitation) -> bool:
    """Only the person a carry-over invitation was sent to answers it."""
    return invitation.enrollment.user_id == getattr(user, "pk", None)


def can_answer_offer(enrollment: Enrollment | None, now: dt.datetime | None = None) -> bool:
    """An offered place can be confirmed or declined until its ``confirm_by``, not a second on."""
    return (
        enrollment is not None
        and enrollment.status == EnrollmentStatus.OFFERED
        and enrollment.confirm_by is not None
        and (now or timezone.now()) < enrollment.confirm_by
    )


def require_form(request: HttpRequest, slug: str, kind: str) -> ApplicationForm:
    """The form of a term the person may see (anyone, when the term is published), else 404."""
    form = form_get_by_slug(slug=slug, kind=kind)
    if not can_see_form(request.user, form):
        raise Http404("No such term")
    return form


def require_organizer_form(request: HttpRequest, slug: str, kind: str) -> ApplicationForm:
    """A term's form for its organizers: 404 to outsiders, 403 to other members."""
    term = term_get(slug=slug)
    require_term_role(request, term, Role.ORGANIZER)
    return form_get(term=term, kind=kind)


def require_reviewing(request: HttpRequest, slug: str) -> tuple[Term, frozenset[str]]:
    """The term and the person's roles, for reviewers and organizers (404 / 403 to others)."""
    term = term_get(slug=slug)
    return term, require_term_role(request, term, *REVIEW_ROLES)


def require_application_for_review(
    request: HttpRequest, term: Term, roles: frozenset[str], application_id: int
) -> Application:
    """An application the person may open for review; any other is 404, so a reviewer cannot
    even learn whether an unassigned application exists."""
    application = (
        Application.objects.select_related("form", "form__term", "applicant")
        .filter(pk=application_id, form__term=term)
        .first()
    )
    if application is None or not can_open_for_review(request.user, roles, application):
        raise Http404("No such application among yours.")
    return application


def require_own_application(request: HttpRequest, slug: str, kind: str) -> Application:
    """The person's own submitted (or withdrawn) application on a form they may see, else 404."""
    form = require_form(request, slug, kind)
    application = application_of(form=form, user=request.user)
    if application is None or not can_see_own_decision(request.user, application):
        raise Http404("You have no application on this form.")
    application.form = form
    return application


def require_carry_over_invitation(
    request: HttpRequest, term: Term, token: str
) -> CarryOverInvitation:
    """The invitation behind a link, for the person it was sent to; anyone else gets 404."""
    invitation = carry_over_invitation_by_token(term=term, token=token)
    if invitation is None or not can_answer_carry_over(request.user, invitation):
        raise Http404("No such invitation.")
    return invitation
