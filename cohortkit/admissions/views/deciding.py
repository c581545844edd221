"""Deciding: the organizers' ranked table, its CSV export, staging and releasing decisions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Value
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cohortkit.admissions import rules
from cohortkit.admissions.forms import StageForm
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    FormQuestion,
)
from cohortkit.admissions.selectors.deciding import (
    decision_pending_example,
    decisions_pending_by_outcome,
    decisions_pending_release,
)
from cohortkit.admissions.selectors.exporting import ranking_csv_lines
from cohortkit.admissions.selectors.ranking import (
    RANK_ORDER,
    SCORE_ORDER,
    RankedRow,
    answers_by_application,
    application_answers,
    application_reviews,
    ranked_row,
    ranking_columns,
    ranking_filters,
    ranking_position,
    ranking_queryset,
    ranking_rows,
)
from cohortkit.admissions.selectors.reviewing import rubric_of
from cohortkit.admissions.services import deciding
from cohortkit.common.errors import ConflictError, InvalidInputError, ServiceError
from cohortkit.common.tables import Column, queryset_search, search_text, table_page
from cohortkit.programs.models import Track
from cohortkit.programs.states import term_require_writable

# The columns of the ranked table; the answer columns come between ``submitted`` and ``decision``.
RANKING_SEARCH = ("applicant__name", "applicant__email")
LEADING_COLUMNS = [
    Column("rank", "#"),
    Column("name", "Applicant", ("applicant__name", "applicant__email")),
    # Ties (unreviewed, equal scores) in rank order whichever way the scores run.
    Column("score", "Score", (SCORE_ORDER, "-pk")),
    Column("reviews", "Reviews", ("reviews_count", "assigned_count")),
    Column("submitted", "Submitted", ("submitted_at",)),
]
DECISION_COLUMN = Column("decision", "Decision", ("decision__outcome", "decision__waitlist_rank"))


def _ranking_table(request: HttpRequest, form: ApplicationForm) -> dict[str, Any]:
    filters = ranking_filters(form=form, params=request.GET)
    tracks = list(Track.objects.filter(term=form.term))
    columns = ranking_columns(filters)
    table = table_page(
        request,
        ranking_queryset(form=form, filters=filters),
        columns=[*LEADING_COLUMNS, DECISION_COLUMN],
        default_sort="-score",
        search_fields=RANKING_SEARCH,
    )
    answers = answers_by_application(
        applications=table.rows, keys=[column.key for column in columns]
    )
    rows = [ranked_row(application, answers.get(application.pk, {})) for application in table.rows]
    headers = {header.key: header for header in table.headers}
    return {
        "term": form.term,
        "form": form,
        "filters": filters,
        "filters_chosen": any(item.selected for item in filters),
        "columns": columns,
        "table": table,
        "leading_headers": [headers[column.key] for column in LEADING_COLUMNS],
        "decision_header": headers[DECISION_COLUMN.key],
        "rows": [(row, _stage_form(row, tracks)) for row in rows],
        "bulk_form": StageForm(prefix="bulk", tracks=tracks),
        "query": request.GET.urlencode(),
        "filter_query": urlencode(
            [(item.key, item.selected) for item in filters if item.selected]
            + ([("q", table.search)] if table.search else [])
        ),
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
    """Organizers: applications ranked by aggregate score, 50 a page, searched, sorted and
    filtered by answers in the URL; decided per row or for many rows at once."""
    form = rules.require_organizer_form(request, slug, kind)
    return render(request, "admissions/review/ranking.html", _ranking_table(request, form))


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


def _local_path(request: HttpRequest, target: str) -> str:
    """``target`` when it is a path on this site, else ""."""
    # Only a path: ``redirect`` reads any other word (``1e30``) as a URL name and fails.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return ""
    return target


def _back_to_ranking(request: HttpRequest, form: ApplicationForm) -> HttpResponse:
    target = _local_path(request, str(request.POST.get("next", "")))
    return redirect(target or reverse("admissions:ranking", args=[form.term.slug, form.kind]))


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
        found = ranking_queryset(form=form).filter(pk=application.pk).first()
        if found is None:
            raise Http404("No such application")
        columns = ranking_columns(ranking_filters(form=form, params={}))
        answers = answers_by_application(
            applications=[found], keys=[column.key for column in columns]
        )
        row = ranked_row(found, answers.get(found.pk, {}))
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
                "columns": columns,
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


def _bulk_targets(request: HttpRequest, form: ApplicationForm) -> list[Application]:
    """The applications a bulk action names: every one matching the table's filter and search
    (given again in the POST and applied again here, with the count the organizer saw), or the
    ticked ones among those. Best score first, the order waitlist ranks are given in."""
    data = request.POST
    matching = ranking_queryset(form=form, filters=ranking_filters(form=form, params=data))
    search = search_text(data)
    if search:
        matching = queryset_search(matching, text=search, fields=RANKING_SEARCH)
    matching = matching.order_by(*RANK_ORDER)
    if data.get("bulk-all"):
        targets = list(matching)
        expected = str(data.get("bulk-expected", ""))
        if not expected.isdigit() or int(expected) != len(targets):
            raise ConflictError(
                f"{len(targets)} application(s) match this filter now, not the "
                f"{expected or 'unknown number'} shown: nothing was staged. Look again."
            )
        return targets
    try:
        ids = {int(value) for value in data.getlist("bulk-selected")}
    except ValueError:
        raise InvalidInputError("Select applications from the table.") from None
    if not ids:
        raise InvalidInputError("Select at least one application (or all matching the filter).")
    targets = list(matching.filter(pk__in=ids))
    if len(targets) != len(ids):
        raise InvalidInputError(
            "Some selected applications are not in this table (any more): nothing was staged."
        )
    return targets


@login_required
@require_POST
def decisions_stage_bulk(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Stage one decision for the ticked rows, or for every row matching the filter."""
    form = rules.require_organizer_form(request, slug, kind)
    term_require_writable(form.term)
    tracks = list(Track.objects.filter(term=form.term))
    stage_form = StageForm(request.POST, prefix="bulk", tracks=tracks)
    if not stage_form.is_valid():
        messages.error(request, "Choose the decision to stage.")
        return _back_to_ranking(request, form)
    outcome, track = stage_form.outcome()
    try:
        staged = deciding.decisions_stage_bulk(
            form=form,
            applications=_bulk_targets(request, form),
            outcome=outcome,
            track=track,
            waitlist_rank=stage_form.cleaned_data.get("waitlist_rank"),
            actor=request.user,
        )
    except InvalidInputError as problem:
        messages.error(request, problem.message)
        return _back_to_ranking(request, form)
    text = f"Staged {staged.staged} decision{pluralize(staged.staged)}."
    if staged.unchanged:
        text += f" {staged.unchanged} already staged so."
    if staged.released:
        text += f" {staged.released} already released, left as they were."
    messages.success(request, text)
    return _back_to_ranking(request, form)


@login_required
@require_GET
def decisions_release_confirm(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Before a release: how many people will be emailed (by outcome), one of the emails as it
    will be sent, and what cannot be undone. The count goes back with the confirmation."""
    form = rules.require_organizer_form(request, slug, kind)
    return _release_confirmation(
        request, form, next_url=_local_path(request, str(request.GET.get("next", "")))
    )


def _release_confirmation(
    request: HttpRequest,
    form: ApplicationForm,
    *,
    next_url: str,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    """The release's confirmation page, counted now; with ``problem``, a refused release's
    message above the count it would release now."""
    outcomes = decisions_pending_by_outcome(form=form)
    example = decision_pending_example(form=form)
    return render(
        request,
        "admissions/review/ranking_release.html",
        {
            "term": form.term,
            "form": form,
            "outcomes": outcomes,
            "total": sum(item.count for item in outcomes),
            "example": example,
            "email": deciding.decision_email_example(form=form, decision=example)
            if example
            else None,
            "confirm_by": deciding.release_confirm_by(form=form),
            "next_url": next_url,
            "problem": problem,
        },
        status=status,
    )


@login_required
@require_POST
def decisions_release(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Release every staged decision of the form, if as many are staged as the organizer
    confirmed: one email to each person newly decided. A refusal (a changed count: 409; a
    closed term or a passed confirmation deadline) shows the confirmation page again, counted
    anew, with the reason and its status; nothing is sent."""
    form = rules.require_organizer_form(request, slug, kind)
    expected = str(request.POST.get("expected", ""))
    if not expected.isdigit():
        # Not from the confirmation page: show it, send nothing.
        return redirect(reverse("admissions:decisions_release_confirm", args=[slug, kind]))
    try:
        released = deciding.decisions_release(form=form, actor=request.user, expected=int(expected))
    except ServiceError as problem:
        return _release_confirmation(
            request,
            form,
            next_url=_local_path(request, str(request.POST.get("next", ""))),
            problem=problem.message,
            status=problem.http_status,
        )
    messages.success(
        request,
        f"{released} decision(s) released; {released} email(s) on their way."
        if released
        else "There were no staged decisions to release.",
    )
    return _back_to_ranking(request, form)


@login_required
@require_GET
def application_full(
    request: HttpRequest, slug: str, kind: str, application_id: int
) -> HttpResponse:
    """Organizers: one application whole, every answer and every review with its comment."""
    form = rules.require_organizer_form(request, slug, kind)
    found = ranking_queryset(form=form).filter(pk=application_id).first()
    if found is None:
        found = get_object_or_404(
            Application.objects.select_related("applicant").annotate(assigned_count=Value(0)),
            pk=application_id,
            form=form,
        )
    row = ranked_row(found)
    if row.score is not None:
        row.rank = ranking_position(form=form, application=found)
    return render(
        request,
        "admissions/review/ranking_application.html",
        {
            "term": form.term,
            "form": form,
            "row": row,
            "answers": application_answers(application=found),
            "reviews": application_reviews(application=found),
            "categories": rubric_of(form=form),
            "back": _local_path(request, str(request.GET.get("back", ""))),
        },
    )
