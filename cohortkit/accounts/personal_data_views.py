"""A person's own data: download it as one JSON file, or erase the account. Organizers do the same
for a person of their term who asks them (audited)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cohortkit.accounts import rules, selectors
from cohortkit.accounts.models import Membership, Role, User
from cohortkit.accounts.personal_data import is_erased
from cohortkit.common.personal_data import personal_data_erase, personal_data_export
from cohortkit.common.services import audit_record


def _download(data: dict[str, Any], user: Any) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="cohortkit-personal-data-{user.pk}-{stamp}.json"'
    )
    return response


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the site holds about the person asking, as one JSON file."""
    return _download(personal_data_export(user=request.user), request.user)


class AccountEraseForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text="To be sure it is you.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password; nothing was erased.")
        return password


@login_required
@require_http_methods(["GET", "POST"])
def account_erase(request: HttpRequest) -> HttpResponse:
    form = AccountEraseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        personal_data_erase(user=request.user, actor=request.user, reason="asked by the person")
        logout(request)
        messages.success(request, "Your account and your personal data are erased. Goodbye.")
        return redirect("programs:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/account_erase.html", {"form": form}, status=status)


def _person_of_term(request: HttpRequest, slug: str, user_id: int) -> tuple[Any, User]:
    """The term (organizers only) and a person who took part in it or applied to it."""
    term = selectors.term_get(slug=slug)
    rules.require_term_role(request, term, Role.ORGANIZER)
    person = (
        User.objects.filter(pk=user_id)
        .filter(Q(memberships__term=term) | Q(applications__form__term=term))
        .distinct()
        .first()
    )
    if person is None or is_erased(person):
        raise Http404("No such person in this term")
    if Membership.objects.filter(term=term, user=person, role=Role.ORGANIZER).exists():
        raise PermissionDenied("An organizer erases their own account on their data page.")
    return term, person


@login_required
@require_GET
def person_data(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    term, person = _person_of_term(request, slug, user_id)
    audit_record(actor=request.user, action="person.exported", target=person, term=term, details={})
    return _download(personal_data_export(user=person), person)


class PersonEraseForm(forms.Form):
    email = forms.EmailField(
        label="Their email address", help_text="Type it to confirm whom you erase."
    )
    reason = forms.CharField(
        max_length=500,
        label="Their request",
        help_text="When and how they asked, for the audit trail (e.g. “email of 3 May”).",
    )

    def __init__(self, *args: Any, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if email.lower() != self.person.email.lower():
            raise forms.ValidationError("That is not this person's address; nothing was erased.")
        return email


@login_required
@require_http_methods(["GET", "POST"])
def person_erase(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    term, person = _person_of_term(request, slug, user_id)
    form = PersonEraseForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        personal_data_erase(
            user=person, actor=request.user, reason=form.cleaned_data["reason"], term=term
        )
        messages.success(request, "The person's account and personal data are erased.")
        return redirect("accounts:term_invitations", slug=term.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/person_erase.html",
        {"term": term, "person": person, "form": form},
        status=status,
    )
