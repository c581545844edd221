"""Applying (the applicant's pages) and the organizer's deadline extensions and access codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role
from cohortkit.admissions import selectors, services
from cohortkit.admissions.csv_import import applications_csv_import, applications_csv_plan
from cohortkit.admissions.forms import (
    AccessCodeForm,
    ApplicationsCsvForm,
    ExtensionForm,
    raw_answers_from_post,
)
from cohortkit.admissions.models import AccessCode, ApplicationForm, ApplicationStatus
from cohortkit.common.timezones import person_time_zone
from cohortkit.programs.selectors import term_get
from cohortkit.programs.services import term_application_deadline


def _form_for(request: HttpRequest, slug: str, kind: str) -> ApplicationForm:
    form = selectors.form_get_by_slug(slug=slug, kind=kind)
    if not account_rules.can_view_public_page(request.user, form.term):
        raise Http404("No such term")
    return form


def _page(
    request: HttpRequest,
    form: ApplicationForm,
    *,
    status: int = 200,
    error: str = "",
    field_errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    error_link: str = "",
) -> HttpResponse:
    application = selectors.application_of(form=form, user=request.user)
    deadline = services.deadline_for(form=form, user=request.user)
    is_open = deadline.is_open(timezone.now())
    if not is_open and application is None:
        status = 403
    return render(
        request,
        "admissions/apply.html",
        {
            "term": form.term,
            "form": form,
            "application": application,
            "questions": selectors.form_questions_with_answers(
                form=form, application=application, typed=typed
            ),
            "deadline": deadline,
            "is_open": is_open,
            "error": error,
            "error_link": error_link,
            "field_errors": field_errors or {},
            # The fields show text the server refused, not what it has.
            "shows_unsaved_text": bool(typed),
        },
        status=status,
    )


def apply(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """The application page: a draft saved as one types, submitted before the deadline."""
    form = _form_for(request, slug, kind)
    deadline = services.deadline_for(form=form, user=request.user)
    if not request.user.is_authenticated and deadline.is_open(timezone.now()):
        return redirect(f"{reverse('accounts:signup')}?next={request.path}")
    return _page(request, form)


@require_POST
def apply_save(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Autosave (htmx): answers so far → a one-line status; nothing changes when refused."""
    form = _form_for(request, slug, kind)
    if not request.user.is_authenticated:
        # No redirect to the login page inside the status line: say what happened instead. The
        # page keeps the text in the browser and saves it after the person logs in again.
        return _save_status(
            request,
            "You were signed out. Your answers are kept in this browser; "
            "log in again to save them.",
            status=401,
            problem=True,
        )
    revision = _revision(request)
    try:
        application = services.application_save_draft(
            form=form,
            user=request.user,
            raw_answers=raw_answers_from_post(request.POST, form),
            revision=revision,
        )
    except services.DeadlinePassedError as error:
        return _save_status(request, error.message, status=403, problem=True)
    except services.StaleRevisionError as error:
        return _save_status(request, error.message, status=409, problem=True)
    except services.AdmissionsError as error:
        if not error.field_errors:
            return _save_status(request, error.message, status=400, problem=True)
        # A submitted application keeps its valid answers: mark each refused one beside its
        # field and leave every other field as typed.
        count = len(error.field_errors)
        return _save_status(
            request,
            f"Not saved: {count} answer{'s' if count != 1 else ''} to fix (marked). "
            "Your submitted application is unchanged.",
            status=400,
            problem=True,
            answer_errors=[
                (key, error.field_errors.get(key, ""))
                for key in raw_answers_from_post(request.POST, form)
            ],
        )
    posted = raw_answers_from_post(request.POST, form)
    errors = dict(
        application.answers.filter(question__key__in=posted).values_list("question__key", "error")
    )
    answer_errors = [(key, errors.get(key, "")) for key in posted]
    problems = sum(1 for _, message in answer_errors if message)
    text = f"Saved {timezone.localtime(application.updated_at):%H:%M}."
    if problems:
        text += f" {problems} answer{'s' if problems != 1 else ''} to fix before submitting."
    return _save_status(request, text, revision=application.revision, answer_errors=answer_errors)


def _save_status(
    request: HttpRequest,
    text: str,
    *,
    status: int = 200,
    problem: bool = False,
    revision: int | None = None,
    answer_errors: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    return render(
        request,
        "admissions/_save_status.html",
        {
            "text": text,
            "problem": problem,
            "revision": revision,
            "answer_errors": answer_errors or [],
        },
        status=status,
    )


def _revision(request: HttpRequest) -> int | None:
    value = request.POST.get("revision", "")
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def apply_submit(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    form = _form_for(request, slug, kind)
    raw_answers = raw_answers_from_post(request.POST, form)
    revision = _revision(request)
    was_submitted = (
        application := selectors.application_of(form=form, user=request.user)
    ) is not None and application.status == ApplicationStatus.SUBMITTED
    try:
        if not was_submitted:
            # Keep what was typed even if the submission is refused below.
            services.application_save_draft(
                form=form, user=request.user, raw_answers=raw_answers, revision=revision
            )
            raw_answers, revision = {}, None
        services.application_submit(
            form=form, user=request.user, raw_answers=raw_answers, revision=revision
        )
    except services.DeadlinePassedError as error:
        return _page(request, form, status=403, error=error.message)
    except services.AdmissionsError as error:
        return _page(
            request,
            form,
            status=400,
            error=error.message,
            field_errors=error.field_errors,
            # The refused text stays on the page beside its error; nothing else is reset.
            typed=raw_answers_from_post(request.POST, form) if was_submitted else None,
        )
    messages.success(
        request,
        "Your application is submitted. We emailed you a copy; "
        "you can change it until the deadline."
        if not was_submitted
        else "Your changes are saved and your application stays submitted.",
    )
    return redirect("admissions:apply", slug=slug, kind=kind)


@login_required
@require_POST
def apply_withdraw(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Withdraw, once the person ticked that they mean it (a stray click changes nothing)."""
    form = _form_for(request, slug, kind)
    if request.POST.get("confirm") != "yes":
        return _page(
            request,
            form,
            status=400,
            error="Nothing was withdrawn: tick “Yes, withdraw my application” to confirm.",
        )
    try:
        services.application_withdraw(form=form, user=request.user)
    except services.AdmissionsError as error:
        return _page(
            request,
            form,
            status=error.http_status,
            error=error.message,
            error_link=getattr(error, "decision_path", ""),
        )
    messages.success(
        request, "Your application is withdrawn. You can submit it again before the deadline."
    )
    return redirect("admissions:apply", slug=slug, kind=kind)


@login_required
def access_code_use(request: HttpRequest, token: str) -> HttpResponse:
    try:
        code = services.access_code_redeem(token=token, user=request.user)
    except services.AdmissionsError as error:
        return render(
            request, "admissions/access_code_invalid.html", {"error": error.message}, status=404
        )
    messages.success(
        request, "Your late-application link is applied: your deadline is shown below."
    )
    return redirect("admissions:apply", slug=code.form.term.slug, kind=code.form.kind)


@login_required
@require_http_methods(["GET", "POST"])
def deadlines(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: personal extensions and late-application links for one form."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    form = selectors.form_get(term=term, kind=kind)
    # Times are entered in the organizer's own zone unless they pick another one.
    zone = {"time_zone": person_time_zone(request.user, term.time_zone)}
    own = {"form_deadline": term_application_deadline(term=term, kind=form.kind)}
    extension_form = ExtensionForm(prefix="extension", initial=zone, **own)
    code_form = AccessCodeForm(prefix="code", initial=zone, **own)
    new_link = ""
    status = 200
    if request.method == "POST" and "extension-email" in request.POST:
        extension_form = ExtensionForm(request.POST, prefix="extension", initial=zone, **own)
        if extension_form.is_valid():
            data = extension_form.cleaned_data
            services.extension_grant(
                form=form,
                user=data["email"],
                until=data["until"],
                granted_by=request.user,
                reason=data["reason"],
            )
            messages.success(request, f"{data['email'].email} now has their own deadline.")
            return redirect("admissions:deadlines", slug=slug, kind=kind)
        status = 400
    elif request.method == "POST":
        code_form = AccessCodeForm(request.POST, prefix="code", initial=zone, **own)
        if code_form.is_valid():
            data = code_form.cleaned_data
            _, token = services.access_code_create(
                form=form,
                until=data["until"],
                expires_at=data["expires_at"],
                max_uses=data["max_uses"],
                created_by=request.user,
                label=data["label"],
            )
            new_link = request.build_absolute_uri(
                reverse("admissions:access_code_use", args=[token])
            )
        else:
            status = 400
    return render(
        request,
        "admissions/deadlines.html",
        {
            "term": term,
            "form": form,
            "extension_form": extension_form,
            "code_form": code_form,
            "new_link": new_link,
            "extensions": form.extensions.select_related("user", "granted_by").order_by(
                "-granted_at"
            ),
            "codes": AccessCode.objects.filter(form=form).order_by("-created_at"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def applications_import_page(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: check a CSV of applications (every problem listed), then import it."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    form = selectors.form_get(term=term, kind=kind)
    plan = None
    imported = False
    status = 200
    upload = ApplicationsCsvForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if upload.is_valid():
            text = upload.cleaned_data["text"]
            if "import" in request.POST:
                plan = applications_csv_import(form=form, text=text, actor=request.user)
                imported = not plan.problems
            else:
                plan = applications_csv_plan(form=form, text=text)
            status = 400 if plan.problems else 200
        else:
            status = 400
    return render(
        request,
        "admissions/import.html",
        {"term": term, "form": form, "upload": upload, "plan": plan, "imported": imported},
        status=status,
    )
