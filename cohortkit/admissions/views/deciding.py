"""Deciding: the organizers' ranked table, its CSV export, staging and releasing decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cohortkit.admissions import rules
from cohortkit.admissions.forms import (
    StageForm,
)
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    FormQuestion,
)
from cohortkit.admissions.selectors.deciding import decisions_pending_release
from cohortkit.admissions.selectors.exporting import ranking_csv_lines
from cohortkit.admissions.selectors.ranking import (
    RankedRow,
    ranking_columns,
    ranking_filters,
    ranking_rows,
)
from cohortkit.admissions.selectors.reviewing import rubric_of
from cohortkit.admissions.services import deciding
from cohortkit.common.errors import ServiceError
from cohortkit.programs.models import Track


def _ranking_context(request: HttpRequest, form: ApplicationForm) -> dict[str, Any]:
    filters = ranking_filters(form=form, params=request.GET)
    tracks = list(Track.objects.filter(term=form.term))
    rows = ranking_rows(form=form, filters=filters)
    return {
        "term": form.term,
        "form": form,
        "filters": filters,
        "columns": ranking_columns(filters),
        "rows": [(row, _stage_form(row, tracks)) for row in rows],
        "query": request.GET.urlencode(),
        "next_url": request.get_full_path(),
        "pending": decisions_pending_release(form=form),
        "categories": rubric_of(form=form),
    }


def _stage_form(row: RankedRow, tracks: list[Track]) -> StageForm:
    initial: dict[str, Any] = {}
    decision = row.decision
    if decision is not None:
        initial["choice"] = f"{decision.outcome}:{decision.track.slug if decision.track else ''}"
        initial["waitlist_rank"] = decision.waitlist_rank
    return StageForm(prefix=f"a{row.application.pk}", initial=initial, tracks=tracks)


@login_required
@require_GET
def ranking(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Organizers: applications ranked by aggregate score, filtered by answers, decided per row."""
    form = rules.require_organizer_form(request, slug, kind)
    return render(request, "admissions/review/ranking.html", _ranking_context(request, form))


@login_required
@require_GET
def ranking_export(request: HttpRequest, slug: str, kind: str) -> StreamingHttpResponse:
    """The ranked table (with the same filters) and every answer, as spreadsheet-safe CSV."""
    form = rules.require_organizer_form(request, slug, kind)
    filters = ranking_filters(form=form, params=request.GET)
    rows = ranking_rows(form=form, filters=filters, with_all_answers=True)
    questions = list(FormQuestion.objects.filter(form=form))
    response = StreamingHttpResponse(
        ranking_csv_lines(form=form, questions=questions, rows=rows),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"{form.term.slug}-{form.kind}-applications.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _back_to_ranking(request: HttpRequest, form: ApplicationForm) -> HttpResponse:
    target = str(request.POST.get("next", ""))
    # Only a path: ``redirect`` reads any other word (``1e30``) as a URL name and fails.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("admissions:ranking", args=[form.term.slug, form.kind])
    return redirect(target)


@login_required
@require_POST
def decision_stage(request: HttpRequest, slug: str, kind: str, application_id: int) -> HttpResponse:
    """Stage one row's decision; htmx gets the row back, a plain form post the table."""
    form = rules.require_organizer_form(request, slug, kind)
    application = get_object_or_404(
        Application.objects.select_related("form__term", "applicant"),
        pk=application_id,
        form=form,
    )
    tracks = list(Track.objects.filter(term=form.term))
    stage_form = StageForm(request.POST, prefix=f"a{application.pk}", tracks=tracks)
    error = ""
    if stage_form.is_valid():
        outcome, track = stage_form.outcome()
        try:
            deciding.decision_stage(
                application=application,
                outcome=outcome,
                track=track,
                waitlist_rank=stage_form.cleaned_data.get("waitlist_rank"),
                actor=request.user,
            )
        except ServiceError as problem:
            error = problem.message
    else:
        error = "; ".join(
            str(message) for field_errors in stage_form.errors.values() for message in field_errors
        )
    if request.htmx:  # type: ignore[attr-defined]
        row = next(
            (
                item
                for item in ranking_rows(form=form, filters=ranking_filters(form=form, params={}))
                if item.application.pk == application.pk
            ),
            None,
        )
        if row is None:
            raise Http404("No such application")
        rank_text = str(request.POST.get("rank", ""))
        row.rank = int(rank_text) if rank_text.isdigit() else row.rank
        return render(
            request,
            "admissions/review/_ranking_row.html",
            {
                "row": row,
                "stage_form": _stage_form(row, tracks),
                "form": form,
                "term": form.term,
                "row_error": error,
                "categories": rubric_of(form=form),
                "columns": ranking_columns(ranking_filters(form=form, params={})),
                "next_url": str(request.POST.get("next", "")),
                "oob": True,
                "pending": decisions_pending_release(form=form),
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, f"{application.applicant.email}: {error}")
    else:
        messages.success(request, f"Decision staged for {application.applicant.email}.")
    return _back_to_ranking(request, form)


@login_required
@require_POST
def decisions_release(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Release every staged decision of the form: one email to each person newly decided."""
    form = rules.require_organizer_form(request, slug, kind)
    try:
        released = deciding.decisions_release(form=form, actor=request.user)
    except ServiceError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(
            request,
            f"{released} decision(s) released; {released} email(s) on their way."
            if released
            else "There were no staged decisions to release.",
        )
    return _back_to_ranking(request, form)
