"""The money pages: the organizer's overview, eligibility, timesheet approval, batches and their
files, the facilitator's timesheets and one's own money. Each view parses, authorizes, calls a
service or selector, renders or redirects."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.common.currencies import format_minor
from cohortkit.common.errors import ServiceError
from cohortkit.common.spreadsheets import spreadsheet_safe
from cohortkit.common.tables import Column, table_page
from cohortkit.payments import exports, pay, rules, selectors
from cohortkit.payments.forms import (
    EligibilityForm,
    HandOverForm,
    PaySettingsForm,
    RateForm,
    ResultsImportForm,
    ReturnForm,
    TaxFormForm,
    TimesheetForm,
)
from cohortkit.payments.models import (
    BatchStatus,
    FacilitatorRate,
    PayoutBatch,
    PayoutLine,
    Timesheet,
    TimesheetStatus,
)
from cohortkit.payments.services import batches as batch_services
from cohortkit.payments.services import ledger as ledger_services
from cohortkit.payments.services import rates as rate_services
from cohortkit.payments.services import stipends as stipend_services
from cohortkit.payments.services import timesheets as timesheet_services
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_get
from cohortkit.sections.models import Meeting

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _person(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _organizer_term(request: HttpRequest, slug: str) -> Term:
    term = term_get(slug=slug)
    rules.require_organizer(request, term)
    return term


def _refusal(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, error.message)


# Organizers ----------------------------------------------------------------------------------

PEOPLE_SEARCH = ("name", "email")
ROLE_CHOICES = [
    ("", "Everyone"),
    (Role.PARTICIPANT, "Participants"),
    (Role.FACILITATOR, "Facilitators"),
]
ELIGIBILITY_COLUMNS = [
    Column("participant", "Participant", ("user__name", "user__email")),
    Column("claim", "Their claim: eligible to work in the US?"),
    Column("verified", "Verified", ("verdict",)),
    Column("completed", "Completed", ("completed",)),
    Column("record", "Record"),
]
BATCH_COLUMNS = [
    Column("batch", "Batch", ("pk",)),
    Column("status", "Status", ("status",)),
    Column("lines", "Lines", ("line_count",)),
    Column("total", "Total", ("shown_total",)),
    Column("built", "Built", ("created_at",)),
]
PEOPLE_SEARCH_FACILITATOR = ("facilitator__name", "facilitator__email")
TIMESHEET_COLUMNS = [
    Column("facilitator", "Facilitator", ("facilitator__name", "facilitator__email", "week")),
    Column("week", "Week", ("week", "facilitator__name")),
    Column("hours", "Hours", ("total",)),
    Column("status", "Status", ("waiting_last", "status", "week", "facilitator__name")),
    Column("pay", "Pay", ("pay",)),
    Column("submitted", "Submitted", ("submitted_at",)),
    Column("decide", "Decide"),
]
LINE_COLUMNS = [
    Column("line", "Line", ("number",)),
    Column("payee", "Payee", ("payee__name", "payee__email")),
    Column("kind", "Kind", ("pay_kind",)),
    Column("amount", "Amount", ("amount_minor",)),
    Column("status", "Status", ("status", "number")),
    Column("settle", "Settle"),
]
MONEY_COLUMNS = [
    Column("person", "Person", ("name", "email")),
    Column("roles", "Role"),
    Column("awaiting", "Awaiting approval", ("awaiting_approval",)),
    Column("approved", "Approved, unpaid", ("approved",)),
    Column("in_batches", "In batches", ("in_batches",)),
    Column("paid", "Paid", ("paid",)),
]


@login_required
@require_GET
def money(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone's money in the term, 50 a page, searched, sorted and filtered from the URL; the
    totals are over every matching person, not only the page."""
    term = _organizer_term(request, slug)
    people = selectors.term_money_people_shown(
        term, role=str(request.GET.get("role", "")), state=str(request.GET.get("state", ""))
    )
    table = table_page(
        request,
        people,
        columns=MONEY_COLUMNS,
        default_sort="person",
        search_fields=PEOPLE_SEARCH,
    )
    return render(
        request,
        "payments/money.html",
        {
            "term": term,
            "table": table,
            "rows": selectors.money_rows(term, table.rows),
            # Over every person the search and filters match, on every page.
            "totals": selectors.term_money_totals(term, table.matching),
            "filtered": bool(table.search or request.GET.get("role") or request.GET.get("state")),
            "role_filters": table.filter_links("role", ROLE_CHOICES),
            "state_filters": table.filter_links(
                "state",
                [
                    ("", "All"),
                    *((key, label) for key, (label, _) in selectors.MONEY_STATES.items()),
                ],
            ),
            "currency": term.stipend_currency,
            "check": selectors.ledger_check(term),
        },
    )


@login_required
@require_GET
def money_csv(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    currency = term.stipend_currency
    writer.writerow(
        [
            "name",
            "email",
            "roles",
            "awaiting_approval",
            "approved",
            "in_batches",
            "paid",
            "currency",
        ]
    )
    for row in selectors.term_money(term):
        writer.writerow(
            [
                spreadsheet_safe(row.user.name),
                spreadsheet_safe(row.user.email),
                " ".join(row.roles),
                format_minor(row.awaiting_approval, currency),
                format_minor(row.approved, currency),
                format_minor(row.in_batches, currency),
                format_minor(row.paid, currency),
                currency,
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="money-{term.slug}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def pay_settings(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    settings = ledger_services.pay_settings_for(term)
    currency = term.stipend_currency
    status = 200
    form = PaySettingsForm(
        initial={
            "prep_hours_cap": f"{settings.prep_minutes_cap_per_week / 60:g}",
            "facilitator_cap": (
                format_minor(settings.facilitator_cap_minor, currency)
                if settings.facilitator_cap_minor is not None
                else ""
            ),
            "four_eyes": settings.four_eyes,
        },
        currency=currency,
    )
    rate_form = None
    if request.method == "POST" and "rate" in request.POST:
        rate_form = RateForm(request.POST, currency=currency)
        if rate_form.is_valid():
            user = get_object_or_404(User, pk=rate_form.cleaned_data["user_id"])
            try:
                rate_services.facilitator_rate_set(
                    term=term,
                    user=user,
                    rate_minor=rate_form.cleaned_data["rate"],
                    actor=_person(request),
                )
            except ServiceError as error:
                _refusal(request, error)
            else:
                messages.success(request, f"Rate saved for {user.name or user.email}.")
                return redirect("payments:pay_settings", slug=term.slug)
        status = 400
    elif request.method == "POST":
        form = PaySettingsForm(request.POST, currency=currency)
        if form.is_valid():
            try:
                rate_services.pay_settings_update(
                    term=term,
                    actor=_person(request),
                    prep_minutes_cap_per_week=form.cleaned_data["prep_hours_cap"],
                    facilitator_cap_minor=form.cleaned_data["facilitator_cap"],
                    four_eyes=form.cleaned_data["four_eyes"],
                )
            except ServiceError as error:
                _refusal(request, error)
                status = 400
            else:
                messages.success(request, "Pay settings saved.")
                return redirect("payments:pay_settings", slug=term.slug)
        else:
            status = 400
    rates = {rate.user_id: rate for rate in FacilitatorRate.objects.filter(term=term)}
    facilitators = [
        {"user": membership.user, "rate": rates.get(membership.user_id)}
        for membership in Membership.objects.filter(term=term, role=Role.FACILITATOR)
        .select_related("user")
        .order_by("user__name")
    ]
    return render(
        request,
        "payments/pay_settings.html",
        {
            "term": term,
            "form": form,
            "rate_form": rate_form,
            "facilitators": facilitators,
            "currency": currency,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def eligibility(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    status = 200
    if request.method == "POST":
        form = EligibilityForm(request.POST)
        if form.is_valid():
            user = get_object_or_404(User, pk=form.cleaned_data["user_id"])
            try:
                stipend_services.stipend_eligibility_set(
                    term=term,
                    user=user,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    actor=_person(request),
                )
            except ServiceError as error:
                _refusal(request, error)
                status = error.http_status
            else:
                messages.success(request, f"Saved for {user.name or user.email}.")
                return redirect("payments:eligibility", slug=term.slug)
        else:
            messages.error(request, "Choose eligible, not eligible or pending.")
            status = 400
    table = table_page(
        request,
        selectors.eligibility_people(term, state=str(request.GET.get("state", ""))),
        columns=ELIGIBILITY_COLUMNS,
        default_sort="participant",
        search_fields=("user__name", "user__email"),
    )
    return render(
        request,
        "payments/eligibility.html",
        {
            "term": term,
            "table": table,
            "rows": selectors.eligibility_rows(term, table.rows),
            "state_filters": table.filter_links(
                "state",
                [
                    ("", "All"),
                    *((key, label) for key, (label, _) in selectors.ELIGIBILITY_STATES.items()),
                ],
            ),
        },
        status=status,
    )


@login_required
@require_GET
def timesheet_review(request: HttpRequest, slug: str) -> HttpResponse:
    """Every submitted or decided timesheet, those waiting for approval first, 50 a page,
    searched by facilitator, sorted and filtered by status from the URL."""
    term = _organizer_term(request, slug)
    sheets = selectors.timesheets_to_review(term)
    state = str(request.GET.get("state", ""))
    table = table_page(
        request,
        sheets.filter(status=state) if state in selectors.REVIEWED_TIMESHEET_STATES else sheets,
        columns=TIMESHEET_COLUMNS,
        default_sort="status",
        search_fields=PEOPLE_SEARCH_FACILITATOR,
    )
    return render(
        request,
        "payments/timesheet_review.html",
        {
            "term": term,
            "table": table,
            "sheets": table.rows,
            "waiting_count": sheets.filter(status=TimesheetStatus.SUBMITTED).count(),
            "state_filters": table.filter_links(
                "state",
                [("", "All"), *selectors.REVIEWED_TIMESHEET_STATES.items()],
            ),
        },
    )


@login_required
@require_POST
def timesheet_decide(request: HttpRequest, slug: str, timesheet_id: int) -> HttpResponse:
    term = _organizer_term(request, slug)
    sheet = get_object_or_404(Timesheet, pk=timesheet_id, term=term)
    try:
        if request.POST.get("decision") == "approve":
            timesheet_services.timesheet_approve(timesheet=sheet, actor=_person(request))
            messages.success(request, f"Week {sheet.week} approved.")
        else:
            form = ReturnForm(request.POST)
            comment = form.data.get("comment", "")
            timesheet_services.timesheet_return(
                timesheet=sheet, actor=_person(request), comment=comment
            )
            messages.success(request, f"Week {sheet.week} sent back.")
    except ServiceError as error:
        _refusal(request, error)
    return redirect("payments:timesheet_review", slug=term.slug)


@login_required
@require_GET
def batches(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    table = table_page(
        request,
        selectors.batches_of(term, state=str(request.GET.get("state", ""))),
        columns=BATCH_COLUMNS,
        default_sort="-batch",
    )
    return render(
        request,
        "payments/batches.html",
        {
            "term": term,
            "table": table,
            "batches": table.rows,
            "state_filters": table.filter_links(
                "state",
                [
                    ("", "All"),
                    *((key, label) for key, (label, _) in selectors.BATCH_STATES.items()),
                ],
            ),
        },
    )


@login_required
@require_POST
def batch_build(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    try:
        batch = batch_services.payout_batch_build(term=term, actor=_person(request))
    except ServiceError as error:
        _refusal(request, error)
        return redirect("payments:batches", slug=term.slug)
    messages.success(request, f"Draft batch {batch.pk} built.")
    return redirect("payments:batch_detail", slug=term.slug, batch_id=batch.pk)


def _batch(request: HttpRequest, slug: str, batch_id: int) -> tuple[Term, PayoutBatch]:
    term = _organizer_term(request, slug)
    return term, get_object_or_404(PayoutBatch, pk=batch_id, term=term)


@login_required
@require_GET
def batch_detail(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    """A batch and its lines, 50 a page, searched by payee, sorted and filtered by status from
    the URL; the totals are over every line."""
    term, batch = _batch(request, slug, batch_id)
    all_lines = selectors.batch_lines(batch)
    table = table_page(
        request,
        selectors.batch_lines(batch, state=str(request.GET.get("state", ""))),
        columns=LINE_COLUMNS,
        default_sort="line",
        search_fields=("payee__name", "payee__email", "payee_name", "payee_email"),
    )
    lines = table.rows
    year = timezone.now().year
    holds = selectors.draft_holds(lines, year) if batch.status == BatchStatus.DRAFT else {}
    for line in lines:
        line.hold = holds.get(line.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "payments/batch_detail.html",
        {
            "term": term,
            "batch": batch,
            "lines": lines,
            "year": year,
            "formats": exports.FORMATS,
            "draft_total": (
                selectors.batch_lines_total(all_lines) if batch.status == BatchStatus.DRAFT else 0
            ),
            "table": table,
            "state_filters": table.filter_links(
                "state",
                [("", "All"), *((key, label) for key, (label, _) in selectors.LINE_STATES.items())],
            ),
            "import_form": ResultsImportForm(),
            "tax_form": TaxFormForm(initial={"year": year, "received_on": timezone.localdate()}),
            "four_eyes": ledger_services.pay_settings_for(term).four_eyes,
        },
    )


@login_required
@require_POST
def batch_act(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    """Freeze, discard, reconcile, settle a line, import results or record a tax form."""
    term, batch = _batch(request, slug, batch_id)
    actor = _person(request)
    action = request.POST.get("action", "")
    try:
        if action == "freeze":
            batch_services.payout_batch_freeze(batch=batch, actor=actor)
            messages.success(request, f"Batch {batch.pk} frozen.")
        elif action == "discard":
            batch_services.payout_batch_discard(batch=batch, actor=actor)
            messages.success(request, f"Draft batch {batch_id} discarded.")
            return redirect("payments:batches", slug=term.slug)
        elif action == "reconcile":
            batch_services.payout_batch_reconcile(batch=batch, actor=actor)
            messages.success(request, f"Batch {batch.pk} reconciled.")
        elif action in ("paid", "failed"):
            line = get_object_or_404(PayoutLine, pk=request.POST.get("line_id") or 0, batch=batch)
            batch_services.payout_line_settle(
                line=line,
                paid=action == "paid",
                actor=actor,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"{line.line_key} marked {action}.")
        elif action == "import":
            form = ResultsImportForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, "Choose the provider's result file.")
            elif form.cleaned_data["file"].size > MAX_IMPORT_BYTES:
                messages.error(request, "That file is too large.")
            else:
                raw = form.cleaned_data["file"].read()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    messages.error(request, "The file is not UTF-8 text.")
                else:
                    summary = batch_services.payout_results_import(
                        batch=batch, text=text, actor=actor
                    )
                    messages.success(
                        request,
                        f"Imported: {summary.paid} paid, {summary.failed} failed, "
                        f"{summary.unchanged} unchanged.",
                    )
        elif action == "tax_form":
            tax_form = TaxFormForm(request.POST)
            if tax_form.is_valid():
                user = get_object_or_404(User, pk=tax_form.cleaned_data["user_id"])
                batch_services.tax_form_record(
                    term=term,
                    user=user,
                    year=tax_form.cleaned_data["year"],
                    received_on=tax_form.cleaned_data["received_on"],
                    actor=actor,
                )
                messages.success(request, f"Tax form recorded for {user.name or user.email}.")
            else:
                messages.error(request, "Enter the date the form was received.")
        else:
            messages.error(request, "Unknown action.")
    except ServiceError as error:
        _refusal(request, error)
    return redirect("payments:batch_detail", slug=term.slug, batch_id=batch_id)


@login_required
@require_GET
def batch_export(request: HttpRequest, slug: str, batch_id: int, file_format: str) -> HttpResponse:
    term, batch = _batch(request, slug, batch_id)
    if file_format not in exports.FORMATS:
        raise Http404("No such format")
    if batch.status == BatchStatus.DRAFT:
        messages.error(request, "Freeze the batch before downloading its files.")
        return redirect("payments:batch_detail", slug=term.slug, batch_id=batch.pk)
    body = exports.batch_export(batch, file_format)
    batch_services.payout_batch_mark_exported(batch=batch, actor=_person(request))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = exports.export_filename(batch, file_format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Facilitators ----------------------------------------------------------------------------------


def _this_week(term: Term) -> int:
    today = timezone.localdate()
    if today < term.starts_on:
        return 1
    return max(1, min(term.week_count, (today - term.starts_on).days // 7 + 1))


@login_required
@require_GET
def timesheets(request: HttpRequest, slug: str) -> HttpResponse:
    term = term_get(slug=slug)
    rules.require_facilitator(request, term)
    me = _person(request)
    sheets = {sheet.week: sheet for sheet in Timesheet.objects.filter(term=term, facilitator=me)}
    weeks = []
    rate = pay.rate_for(term, me)
    for week in range(1, term.week_count + 1):
        sheet = sheets.get(week)
        led = pay.meetings_led(term=term, user=me, week=week)
        weeks.append(
            {
                "week": week,
                "sheet": sheet,
                "meetings": led,
                "pay": (
                    sheet.amount_minor
                    if sheet is not None and sheet.status == TimesheetStatus.APPROVED
                    else None
                ),
            }
        )
    return render(
        request,
        "payments/timesheets.html",
        {
            "term": term,
            "weeks": weeks,
            "rate": rate,
            "currency": term.stipend_currency,
            "this_week": _this_week(term),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def timesheet_week(request: HttpRequest, slug: str, week: int) -> HttpResponse:
    term = term_get(slug=slug)
    rules.require_facilitator(request, term)
    me = _person(request)
    if not 1 <= week <= term.week_count:
        raise Http404("No such week")
    # A GET shows an unsaved draft; the row is created when the week is first submitted.
    sheet = Timesheet.objects.filter(term=term, facilitator=me, week=week).first() or Timesheet(
        term=term, facilitator=me, week=week
    )
    cap = ledger_services.pay_settings_for(term).prep_minutes_cap_per_week
    status = 200
    form = TimesheetForm(
        initial={
            "prep_hours": f"{sheet.prep_minutes / 60:g}" if sheet.prep_minutes else "",
            "prep_note": sheet.prep_note,
        }
    )
    if request.method == "POST":
        form = TimesheetForm(request.POST)
        if form.is_valid():
            try:
                sheet = timesheet_services.timesheet_get_or_create(
                    term=term, facilitator=me, week=week
                )
                timesheet_services.timesheet_submit(
                    timesheet=sheet,
                    actor=me,
                    prep_minutes=form.cleaned_data["prep_hours"],
                    prep_note=form.cleaned_data["prep_note"],
                )
            except ServiceError as error:
                for field_name, message in error.field_errors.items():
                    form.add_error(field_name if field_name in form.fields else None, message)
                if not error.field_errors:
                    form.add_error(None, error.message)
                status = error.http_status
            else:
                messages.success(request, f"Week {week} submitted for approval.")
                return redirect("payments:timesheets", slug=term.slug)
        else:
            status = 400
    meetings = pay.meetings_led(term=term, user=me, week=week)
    colleagues = [
        (membership.user_id, membership.user.name or membership.user.email)
        for membership in Membership.objects.filter(term=term, role=Role.FACILITATOR)
        .exclude(user=me)
        .select_related("user")
        .order_by("user__name")
    ]
    return render(
        request,
        "payments/timesheet_week.html",
        {
            "term": term,
            "sheet": sheet,
            "week": week,
            "meetings": [
                {"meeting": meeting, "minutes": pay.meeting_minutes(meeting)}
                for meeting in meetings
            ],
            "form": form,
            "cap_hours": f"{cap / 60:g}",
            "hand_over_form": HandOverForm(choices=colleagues) if colleagues else None,
            "editable": sheet.status != TimesheetStatus.APPROVED,
        },
        status=status,
    )


@login_required
@require_POST
def meeting_hand_over(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    term = term_get(slug=slug)
    meeting = get_object_or_404(
        Meeting.objects.select_related("section"), pk=meeting_id, section__term=term
    )
    rules.require_meeting_leader_or_organizer(request, term, meeting)
    colleagues = list(
        Membership.objects.filter(term=term, role=Role.FACILITATOR).values_list(
            "user_id", "user__email"
        )
    )
    form = HandOverForm(request.POST, choices=colleagues)
    if not form.is_valid():
        messages.error(request, "Choose a facilitator of this term.")
    else:
        to_user = User.objects.get(pk=form.cleaned_data["to_user"])
        try:
            timesheet_services.meeting_hand_over(
                meeting=meeting, to_user=to_user, actor=_person(request)
            )
        except ServiceError as error:
            _refusal(request, error)
        else:
            messages.success(
                request,
                f"Week {meeting.week} of {meeting.section.name} is now led by "
                f"{to_user.name or to_user.email}; its hour is on their timesheet.",
            )
    return redirect("payments:timesheet_week", slug=term.slug, week=meeting.week)


# Everyone ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_money(request: HttpRequest, slug: str) -> HttpResponse:
    term = term_get(slug=slug)
    roles = rules.require_member(request, term)
    mine = selectors.my_money(term, _person(request), roles)
    context: dict[str, Any] = {"term": term, "mine": mine, "roles": roles}
    return render(request, "payments/my_money.html", context)
