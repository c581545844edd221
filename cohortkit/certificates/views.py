"""Public verification pages (HTML, JSON, PDF) and the key set, the holder's page (choose the
name, download, add to LinkedIn, the signed credential) and the organizers' list with revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohortkit.accounts.models import Role
from cohortkit.accounts.rules import require_term_role
from cohortkit.certificates import rules, selectors, services
from cohortkit.certificates.models import CertificateStatus
from cohortkit.certificates.pdf import certificate_pdf
from cohortkit.certificates.signing import credential_jwt, public_key_set, verification_url
from cohortkit.common.errors import ServiceError
from cohortkit.programs.selectors import term_get

PUBLIC_CACHE = "no-cache"


@require_GET
def certificate_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = selectors.certificate_get(public_id=public_id)
    is_holder = request.user.is_authenticated and request.user.pk == certificate.user_id
    response = render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "data": selectors.certificate_json(certificate),
            "status_text": selectors.status_in_words(certificate),
            "is_holder": is_holder,
            "verification_url": verification_url(certificate),
        },
    )
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def certificate_json(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = selectors.certificate_get(public_id=public_id)
    response = JsonResponse(selectors.certificate_json(certificate))
    response["Cache-Control"] = PUBLIC_CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def certificate_pdf_view(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = selectors.certificate_get(public_id=public_id)
    if certificate.status != CertificateStatus.VALID:
        return HttpResponse(
            f"This certificate is {certificate.get_status_display().lower()}: "
            f"{selectors.status_in_words(certificate)}. See {verification_url(certificate)}\n",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.public_id}.pdf"'
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def key_set(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(public_key_set())
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
@require_GET
def credential(request: HttpRequest, public_id: str) -> HttpResponse:
    """The signed Open Badges credential, for its holder to keep and share."""
    certificate = selectors.certificate_get(public_id=public_id)
    rules.require_holder(request.user, certificate)
    if certificate.status != CertificateStatus.VALID:
        return HttpResponse(
            f"This certificate is {certificate.get_status_display().lower()}.\n",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(credential_jwt(certificate), content_type="application/vc+jwt")
    response["Content-Disposition"] = (
        f'attachment; filename="open-badge-{certificate.public_id}.jwt"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    """The person's certificates of the term: choose the name and issue, then download."""
    term = term_get(slug=slug)
    require_term_role(request, term, *Role.values)
    status = 200
    chosen = str(getattr(request.user, "name", ""))
    if request.method == "POST":
        chosen = request.POST.get("holder_name", "")
        try:
            services.certificate_issue(
                term=term,
                user=request.user,
                role=request.POST.get("role", "participant"),
                holder_name=chosen,
            )
        except ServiceError as error:
            messages.error(request, " ".join([error.message, *error.field_errors.values()]))
            status = error.http_status
        else:
            messages.success(request, "Your certificate is issued.")
            return redirect("certificates:mine", slug=term.slug)
    certificates = [
        (certificate, selectors.linkedin_add_url(certificate))
        for certificate in selectors.certificates_of_user(user=request.user).filter(term=term)
    ]
    return render(
        request,
        "certificates/mine.html",
        {
            "term": term,
            "due": selectors.certificate_roles_due(term=term, user=request.user),
            "certificates": certificates,
            "chosen": chosen,
        },
        status=status,
    )


@login_required
@require_POST
def rename(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = selectors.certificate_get(public_id=public_id)
    if not rules.can_manage(request.user, certificate):
        rules.require_holder(request.user, certificate)
    try:
        services.certificate_rename(
            certificate=certificate,
            actor=request.user,
            holder_name=request.POST.get("holder_name", ""),
        )
    except ServiceError as error:
        messages.error(request, " ".join([error.message, *error.field_errors.values()]))
    else:
        messages.success(request, "The certificate was reissued with the corrected name.")
    return redirect("certificates:detail", public_id=certificate.public_id)


@login_required
@require_POST
def withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = selectors.certificate_get(public_id=public_id)
    rules.require_holder(request.user, certificate)
    services.certificate_withdraw(certificate=certificate, actor=request.user)
    messages.success(request, "Your certificate is withdrawn; its page says so.")
    return redirect("certificates:detail", public_id=certificate.public_id)


@login_required
@require_POST
def revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    certificate = selectors.certificate_get(public_id=public_id)
    require_term_role(request, certificate.term, Role.ORGANIZER)
    try:
        services.certificate_revoke(
            certificate=certificate, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ServiceError as error:
        messages.error(request, " ".join([error.message, *error.field_errors.values()]))
    else:
        messages.success(request, "The certificate is revoked; its page says so.")
    return redirect("certificates:organize", slug=certificate.term.slug)


@login_required
@require_GET
def organize(request: HttpRequest, slug: str) -> HttpResponse:
    term = term_get(slug=slug)
    require_term_role(request, term, Role.ORGANIZER)
    return render(
        request,
        "certificates/organize.html",
        {
            "term": term,
            "certificates": [
                (certificate, selectors.status_in_words(certificate))
                for certificate in selectors.certificates_of_term(term=term)
            ],
        },
    )
