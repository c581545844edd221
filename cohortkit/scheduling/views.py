"""The organizer's scheduling page (runs, progress, result, hand edits, what-if, publish) and a
member's own section page. Each view parses, authorizes, calls a service, renders or redirects."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role, User
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import term_get
from cohortkit.scheduling import attendance as attendance_services
from cohortkit.scheduling import people, rosters, selectors, services, slots, switching
from cohortkit.scheduling.attendance import Mark
from cohortkit.scheduling.forms import (
    ChangeFacilitatorForm,
    ChangeTimeForm,
    InstanceImportForm,
    MoveForm,
    RunStartForm,
    WhatIfForm,
)
from cohortkit.scheduling.models import AttendanceStatus, Meeting, ScheduleRun, Section
from cohortkit.scheduling.services import SchedulingError

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _start_form(choice: people.SourceChoice, data: Any = None) -> RunStartForm:
    sources = [
        (
            option.value,
            f"{option.label[:1].upper()}{option.label[1:]}: {option.participants} participant"
            f"{'' if option.participants == 1 else 's'}, {option.facilitators} facilitator"
            f"{'' if option.facilitators == 1 else 's'}",
        )
        for option in choice.options
    ]
    return RunStartForm(data, sources=sources, initial_source=choice.default)


def _organizer_term(request: HttpRequest, slug: str) -> Term:
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    return term


def _viewer_zone(request: HttpRequest) -> str:
    return str(getattr(request, "viewer_time_zone", "UTC"))


def _render_page(
    request: HttpRequest,
    term: Term,
    run: ScheduleRun | None,
    *,
    status: int = 200,
    problems: list[str] | None = None,
    problem_message: str = "",
    bound_forms: dict[str, Any] | None = None,
) -> HttpResponse:
    viewer_zone = _viewer_zone(request)
    view = (
        selectors.run_view(run=run, term=term, viewer_zone=viewer_zone)
        if run is not None and not run.is_active
        else None
    )
    choice = people.source_choice(term=term)
    forms: dict[str, Any] = {
        "start_form": _start_form(choice),
        "import_form": InstanceImportForm(),
    }
    if view is not None and view.solution is not None:
        section_choices = [
            (row.index, f"{row.index + 1}. {row.track}, {row.facilitator.name}, {row.viewer_time}")
            for row in view.sections
        ]
        members = [(person.id, f"{person.name} ({person.id})") for person in view.participants]
        leads = [(person.id, f"{person.name} ({person.id})") for person in view.facilitators]
        forms |= {
            "move_form": MoveForm(participants=members, sections=section_choices),
            "time_form": ChangeTimeForm(sections=section_choices),
            "facilitator_form": ChangeFacilitatorForm(sections=section_choices, facilitators=leads),
            "what_if_form": WhatIfForm(tracks=view.tracks),
        }
    forms |= bound_forms or {}
    return render(
        request,
        "scheduling/sections.html",
        {
            "term": term,
            "run": run,
            "runs": selectors.runs_of_term(term=term),
            "view": view,
            "published": selectors.published_sections(term=term),
            "problems": problems or [],
            "problem_message": problem_message,
            "viewer_zone": viewer_zone,
            "source_choice": choice,
            "source_label": people.SOURCE_LABELS.get(run.source, run.source) if run else "",
            **forms,
        },
        status=status,
    )


@login_required
@require_GET
def sections(request: HttpRequest, slug: str) -> HttpResponse:
    """The term's scheduling page, showing its latest run."""
    term = _organizer_term(request, slug)
    services.schedule_runs_expire(term=term)
    return _render_page(request, term, selectors.run_latest(term=term))


@login_required
@require_GET
def run_detail(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    term = _organizer_term(request, slug)
    services.schedule_runs_expire(term=term)
    return _render_page(request, term, selectors.run_get(term=term, run_id=run_id))


@login_required
@require_GET
def run_progress(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The progress partial the page polls every second while the run is queued or running;
    once it is over, htmx reloads the page to show the result."""
    term = _organizer_term(request, slug)
    services.schedule_runs_expire(term=term)
    run = selectors.run_progress_get(term=term, run_id=run_id)
    if getattr(request, "htmx", False) and not run.is_active:
        return HttpResponseClientRefresh()
    return render(request, "scheduling/_progress.html", {"term": term, "run": run})


@login_required
@require_GET
def run_export(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The run's instance as the contract's JSON, to replay it elsewhere."""
    term = _organizer_term(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    response = HttpResponse(
        json.dumps(run.instance, indent=1, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{term.slug}-run-{run.pk}-instance.json"'
    )
    return response


@login_required
@require_POST
def run_start(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    form = _start_form(people.source_choice(term=term), request.POST)
    if not form.is_valid():
        return _render_page(
            request,
            term,
            selectors.run_latest(term=term),
            status=400,
            bound_forms={"start_form": form},
        )
    try:
        run = services.schedule_run_create(
            term=term,
            actor=request.user,
            time_limit_seconds=form.cleaned_data["time_limit"],
            source=form.cleaned_data["source"] or None,
        )
    except SchedulingError as error:
        messages.error(request, error.message)
        return redirect("scheduling:sections", slug=term.slug)
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)


@login_required
@require_POST
def run_restart(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """Start a failed run (its worker stopped, or the solver failed) again, on the same people."""
    term = _organizer_term(request, slug)
    services.schedule_runs_expire(term=term)
    run = selectors.run_get(term=term, run_id=run_id)
    try:
        again = services.schedule_run_restart(run=run, actor=request.user)
    except SchedulingError as error:
        return _render_page(request, term, run, status=400, problem_message=error.message)
    return redirect("scheduling:run_detail", slug=term.slug, run_id=again.pk)


@login_required
@require_POST
def run_import(request: HttpRequest, slug: str) -> HttpResponse:
    term = _organizer_term(request, slug)
    form = InstanceImportForm(request.POST, request.FILES)
    latest = selectors.run_latest(term=term)
    if not form.is_valid():
        return _render_page(request, term, latest, status=400, bound_forms={"import_form": form})
    upload = form.cleaned_data["instance_file"]
    problem = ""
    data: Any = None
    if upload.size > MAX_IMPORT_BYTES:
        problem = "The file is larger than 20 MB."
    else:
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            problem = f"The file is not JSON: {error}"
    if not problem:
        try:
            run = services.schedule_run_create(
                term=term,
                actor=request.user,
                time_limit_seconds=form.cleaned_data["time_limit"],
                instance_data=data,
            )
        except SchedulingError as error:
            problem = error.message
        else:
            return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)
    return _render_page(request, term, latest, status=400, problem_message=problem)


def _slot_from_form(form: Any, run: ScheduleRun, zone: str) -> int:
    instance = services.run_instance(run)
    try:
        return slots.wall_clock_to_slot(
            form.cleaned_data["weekday"],
            form.cleaned_data["start_time"],
            zone,
            run.week_monday,
            instance.slot_minutes,
        )
    except ValueError as error:
        raise SchedulingError(str(error)) from error


@login_required
@require_POST
def run_edit(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """One hand edit (move a participant, change a time, change the facilitator), applied only
    when the validator accepts the result; otherwise every violation is shown, nothing saved."""
    term = _organizer_term(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    view = selectors.run_view(run=run, term=term, viewer_zone=_viewer_zone(request))
    section_choices = [(row.index, str(row.index + 1)) for row in view.sections]
    action = request.POST.get("action", "")
    edit: services.Edit | None = None
    form: Any
    try:
        if action == "move":
            form = MoveForm(
                request.POST,
                participants=[(person.id, person.id) for person in view.participants],
                sections=section_choices,
            )
            if form.is_valid():
                edit = services.MoveParticipant(
                    form.cleaned_data["participant"], form.cleaned_data["to_section"]
                )
        elif action == "time":
            form = ChangeTimeForm(request.POST, sections=section_choices)
            if form.is_valid():
                start = _slot_from_form(form, run, _viewer_zone(request))
                edit = services.ChangeTime(form.cleaned_data["section"], start)
        elif action == "facilitator":
            form = ChangeFacilitatorForm(
                request.POST,
                sections=section_choices,
                facilitators=[(person.id, person.id) for person in view.facilitators],
            )
            if form.is_valid():
                edit = services.ChangeFacilitator(
                    form.cleaned_data["section"], form.cleaned_data["facilitator"]
                )
        else:
            raise SchedulingError("Unknown change.")
        if edit is None:
            raise SchedulingError("Check the fields of the change.")
        services.run_solution_edit(run=run, edit=edit, actor=request.user)
    except SchedulingError as error:
        return _render_page(
            request,
            term,
            run,
            status=400,
            problems=error.problems,
            problem_message=error.message,
        )
    messages.success(request, "Change saved; the solution is still valid.")
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)


@login_required
@require_POST
def run_what_if(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    term = _organizer_term(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    instance = services.run_instance(run)
    tracks = list(instance.tracks or sorted(instance.known_tracks()))
    form = WhatIfForm(request.POST, tracks=tracks)
    try:
        if not form.is_valid():
            raise SchedulingError("Pick a track, a day and a time.")
        start = _slot_from_form(form, run, _viewer_zone(request))
        more = services.run_what_if(run=run, track=form.cleaned_data["track"], start_slot=start)
    except SchedulingError as error:
        return _render_page(
            request,
            term,
            run,
            status=400,
            problem_message=error.message,
            bound_forms={"what_if_form": form},
        )
    messages.info(
        request,
        f"What if: one more {form.cleaned_data['track']} facilitator at "
        f"{instance.describe_slot(start)} would place {more} more "
        f"participant{'' if more == 1 else 's'}.",
    )
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)


@login_required
@require_POST
def run_publish(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    term = _organizer_term(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    try:
        summary = services.run_publish(
            run=run, actor=request.user, grant_roles=request.POST.get("grant_roles") == "yes"
        )
    except SchedulingError as error:
        return _render_page(
            request,
            term,
            run,
            status=400,
            problems=error.problems,
            problem_message=error.message,
        )
    messages.success(
        request,
        f"Published: {summary.sections_created} new sections, {summary.sections_kept} kept, "
        f"{summary.memberships_created} members placed, {summary.emails_queued} emails sent.",
    )
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)


@login_required
@require_GET
def my_sections(request: HttpRequest, slug: str) -> HttpResponse:
    """A member's own sections: facilitator, members, and every meeting in their time zone."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, *Role.values)
    sections = selectors.sections_of_person(term=term, user=request.user)
    now = timezone.now()
    # The meetings they go to: their section's, or the one they visit instead that week.
    attended = rosters.person_meetings(user=request.user, term=term)
    away = {
        (item.home.pk, item.meeting.week): item.section
        for item in attended
        if item.visit and item.home is not None
    }
    return render(
        request,
        "scheduling/my_sections.html",
        {
            "term": term,
            "sections": [
                {
                    "section": section,
                    "next": selectors.next_meeting(section, now)
                    if section.facilitator_id == request.user.pk
                    else None,
                    "away": {week: to for (home, week), to in away.items() if home == section.pk},
                }
                for section in sections
            ],
            "next_meeting": rosters.person_next_meeting(attended, now=now),
            "now": now,
            **rosters.person_changes(term=term, user=request.user),
        },
    )


# The weeks of the term: facilitators' sections, attendance, apologies, switching ------------


def _person(request: HttpRequest) -> User:
    """The signed-in person (the views below are all behind ``login_required``)."""
    return cast(User, request.user)


def _section_lead_or_organizer(request: HttpRequest, slug: str, section_id: int) -> Section:
    """The section, for its facilitator or an organizer of the term; another section's
    facilitator gets 404 (it is not theirs to know about), other members 403."""
    term = term_get(slug=slug)
    roles = account_rules.require_term_role(request, term, Role.FACILITATOR, Role.ORGANIZER)
    section = rosters.section_of_term(term=term, section_id=section_id)
    if Role.ORGANIZER not in roles and section.facilitator_id != request.user.pk:
        raise Http404("No such section")
    return section


@login_required
@require_GET
def facilitator_sections(request: HttpRequest, slug: str) -> HttpResponse:
    """A facilitator's sections (an organizer's: all of the term's): roster with each member's
    time of the next meeting in their own zone, this week's discussion guide, attendance links."""
    term = term_get(slug=slug)
    roles = account_rules.require_term_role(request, term, Role.FACILITATOR, Role.ORGANIZER)
    # An organizer who leads no section of their own oversees them all.
    everyone = Role.ORGANIZER in roles and Role.FACILITATOR not in roles
    items, this_week = rosters.facilitated_sections(term=term, user=request.user, everyone=everyone)
    return render(
        request,
        "scheduling/facilitator_sections.html",
        {"term": term, "items": items, "this_week": this_week, "everyone": everyone},
    )


def _marks_from(request: HttpRequest, sheet: rosters.AttendanceSheet) -> dict[int, Mark]:
    marks = {}
    for row in sheet.present:
        status = request.POST.get(f"status-{row.user.pk}", "")
        if status:
            marks[row.user.pk] = Mark(status, request.POST.get(f"note-{row.user.pk}", ""))
    return marks


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, slug: str, section_id: int, week: int) -> HttpResponse:
    """Present, absent or excused for each member of the section that week and each visitor;
    apologies shown, and an apology without a record preselects excused."""
    section = _section_lead_or_organizer(request, slug, section_id)
    meeting = rosters.meeting_of_section(section=section, week=week)
    meeting.section = section
    sheet = rosters.attendance_sheet(meeting=meeting)
    problem = ""
    problems: list[str] = []
    if request.method == "POST":
        try:
            summary = attendance_services.attendance_record(
                meeting=meeting, actor=request.user, marks=_marks_from(request, sheet)
            )
        except SchedulingError as error:
            problem, problems = error.message, error.problems
        else:
            messages.success(
                request,
                f"Attendance saved for {summary.recorded} "
                f"{'person' if summary.recorded == 1 else 'people'}.",
            )
            if summary.alerts:
                messages.info(
                    request,
                    "Someone has now missed two meetings in a row: the organizers were told and "
                    "they were offered another section.",
                )
            return redirect(
                "scheduling:attendance", slug=slug, section_id=section.pk, week=meeting.week
            )
    weeks = [m.week for m in section.meetings.all()]
    return render(
        request,
        "scheduling/attendance.html",
        {
            "term": section.term,
            "section": section,
            "meeting": meeting,
            "sheet": sheet,
            "statuses": AttendanceStatus.choices,
            "started": meeting.starts_at <= timezone.now(),
            "previous_week": week - 1 if week - 1 in weeks else None,
            "next_week": week + 1 if week + 1 in weeks else None,
            "problem": problem,
            "problems": problems,
        },
        status=400 if problem else 200,
    )


@login_required
@require_POST
def apology(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """A participant's apology for an upcoming meeting, from their section page."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, *Role.values)
    meeting = get_object_or_404(
        Meeting.objects.select_related("section__term", "section__facilitator"),
        pk=meeting_id,
        section__term=term,
    )
    try:
        attendance_services.apology_send(
            meeting=meeting, user=_person(request), reason=request.POST.get("reason", "")
        )
    except SchedulingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Apology sent for week {meeting.week}; your facilitator knows and you are excused.",
        )
    return redirect("scheduling:my_sections", slug=term.slug)


@login_required
@require_http_methods(["GET", "POST"])
def switch(request: HttpRequest, slug: str) -> HttpResponse:
    """Another section for one week, or from a week on: only sections of the participant's
    track with room whose time they can make (the others are listed with the reason)."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.PARTICIPANT)
    problem = ""
    if request.method == "POST":
        try:
            kind = request.POST.get("kind")
            if kind == "visit":
                meeting = get_object_or_404(
                    Meeting.objects.select_related("section"),
                    pk=int(request.POST.get("meeting", "0")),
                    section__term=term,
                )
                result = switching.section_visit(user=_person(request), meeting=meeting)
                done = f"You visit {result.section.name} in week {result.week} only."
            elif kind == "switch":
                section = get_object_or_404(
                    Section, pk=int(request.POST.get("section", "0")), term=term
                )
                result = switching.section_switch(
                    user=_person(request),
                    to_section=section,
                    from_week=int(request.POST.get("from_week", "0")),
                )
                done = f"You are in {result.section.name} from week {result.week} on."
            else:
                raise SchedulingError("Choose a section.")
        except (ValueError, SchedulingError) as error:
            problem = error.message if isinstance(error, SchedulingError) else "Choose a week."
        else:
            messages.success(request, done)
            for note in result.notes:
                messages.info(request, note)
            return redirect("scheduling:my_sections", slug=term.slug)
    options = switching.switch_options(
        term=term, user=request.user, viewer_zone=_viewer_zone(request)
    )
    return render(
        request,
        "scheduling/switch.html",
        {"term": term, "options": options, "problem": problem},
        status=400 if problem else 200,
    )
