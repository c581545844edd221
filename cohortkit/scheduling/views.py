"""The organizer's scheduling page: runs, progress, result, hand edits, what-if, publish.

Each view parses, authorizes, calls a service, renders or redirects. A member's own section page
and the weeks of the term (attendance, apologies, switching) are in ``cohortkit.sections``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from cohortkit.common.errors import InvalidInputError, ServiceError
from cohortkit.common.tables import Column, table_page
from cohortkit.programs.models import Term
from cohortkit.scheduling import people, rules, selectors, slots
from cohortkit.scheduling.forms import (
    ChangeFacilitatorForm,
    ChangeTimeForm,
    InstanceImportForm,
    MoveForm,
    RunStartForm,
    WhatIfForm,
)
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.selectors import instances, placements
from cohortkit.scheduling.services import editing, publishing, runs
from cohortkit.sections import selectors as section_selectors
from cohortkit.sections.errors import ProblemsError

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


def _problems(error: ServiceError) -> list[str]:
    """Every broken rule a refusal lists (none for a refusal with one reason)."""
    return error.problems if isinstance(error, ProblemsError) else []


def _viewer_zone(request: HttpRequest) -> str:
    return str(getattr(request, "viewer_time_zone", "UTC"))


# The published sections, 50 a page: a term of a thousand sections lists them all otherwise.
PUBLISHED_PREFIX = "published-"
PUBLISHED_COLUMNS = [
    Column("section", "Section", ("name",)),
    Column("facilitator", "Facilitator", ("facilitator__name", "facilitator__email")),
    Column("time", "Weekly time"),
    Column("first", "First meeting, your time"),
    Column("members", "Members"),
]
# A word may be in the section's name, its facilitator's or one of its members' name or email.
PUBLISHED_SEARCH = (
    "name",
    "facilitator__name",
    "facilitator__email",
    "memberships__user__name",
    "memberships__user__email",
)


def _render_page(
    request: HttpRequest,
    term: Term,
    run: ScheduleRun | None,
    *,
    status: int = 200,
    problems: list[str] | None = None,
    problem_message: str = "",
    bound_forms: dict[str, Any] | None = None,
    moving: str = "",
) -> HttpResponse:
    viewer_zone = _viewer_zone(request)
    view = (
        selectors.run_view(run=run, term=term, viewer_zone=viewer_zone)
        if run is not None and not run.is_active
        else None
    )
    moves = view.move_options(moving) if view is not None and moving else None
    choice = people.source_choice(term=term)
    forms: dict[str, Any] = {
        "start_form": _start_form(choice),
        "import_form": InstanceImportForm(),
    }
    if view is not None and view.solution is not None:
        section_choices = [(row.index, view.section_label(row.index)) for row in view.sections]
        members = [(person.id, f"{person.name} ({person.id})") for person in view.participants]
        leads = [(person.id, f"{person.name} ({person.id})") for person in view.facilitators]
        forms |= {
            "move_form": MoveForm(
                participants=members,
                sections=[(t.index, t.label) for t in moves.accepted] if moves else [],
                initial={"participant": moving},
            ),
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
            "published": table_page(
                request,
                section_selectors.published_sections(term=term).distinct(),
                columns=PUBLISHED_COLUMNS,
                default_sort="section",
                search_fields=PUBLISHED_SEARCH,
                prefix=PUBLISHED_PREFIX,
            ),
            "problems": problems or [],
            "problem_message": problem_message,
            "viewer_zone": viewer_zone,
            "source_choice": choice,
            "source_label": people.SOURCE_LABELS.get(run.source, run.source) if run else "",
            "moves": moves,
            **forms,
        },
        status=status,
    )


@login_required
@require_GET
def sections(request: HttpRequest, slug: str) -> HttpResponse:
    """The term's scheduling page, showing its latest run."""
    term = rules.require_scheduler(request, slug)
    runs.schedule_runs_expire(term=term)
    return _render_page(request, term, selectors.run_latest(term=term))


@login_required
@require_GET
def run_detail(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """A run; with ``?participant=<id>`` (the move form's first step), the sections that
    would accept them, and why the others would not, in the move form."""
    term = rules.require_scheduler(request, slug)
    runs.schedule_runs_expire(term=term)
    return _render_page(
        request,
        term,
        selectors.run_get(term=term, run_id=run_id),
        moving=request.GET.get("participant", "")[:200],
    )


@login_required
@require_POST
def run_stop(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The stop button: the run ends at its next step, keeping the best plan found so far."""
    term = rules.require_scheduler(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    try:
        runs.schedule_run_stop(run=run, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, "Stopping: the run keeps the best plan it has found so far.")
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)


@login_required
@require_GET
def run_progress(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The progress partial the page polls every second while the run is queued or running;
    once it is over, htmx reloads the page to show the result."""
    term = rules.require_scheduler(request, slug)
    runs.schedule_runs_expire(term=term)
    run = selectors.run_progress_get(term=term, run_id=run_id)
    if getattr(request, "htmx", False) and not run.is_active:
        return HttpResponseClientRefresh()
    return render(request, "scheduling/_progress.html", {"term": term, "run": run})


@login_required
@require_GET
def run_export(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """The run's instance as the contract's JSON, to replay it elsewhere."""
    term = rules.require_scheduler(request, slug)
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
    term = rules.require_scheduler(request, slug)
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
        run = runs.schedule_run_create(
            term=term,
            actor=request.user,
            time_limit_seconds=form.cleaned_data["time_limit"],
            source=form.cleaned_data["source"] or None,
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("scheduling:sections", slug=term.slug)
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)


@login_required
@require_POST
def run_restart(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """Start a failed run (its worker stopped, or the solver failed) again, on the same people."""
    term = rules.require_scheduler(request, slug)
    runs.schedule_runs_expire(term=term)
    run = selectors.run_get(term=term, run_id=run_id)
    try:
        again = runs.schedule_run_restart(run=run, actor=request.user)
    except ServiceError as error:
        return _render_page(request, term, run, status=400, problem_message=error.message)
    return redirect("scheduling:run_detail", slug=term.slug, run_id=again.pk)


@login_required
@require_POST
def run_import(request: HttpRequest, slug: str) -> HttpResponse:
    term = rules.require_scheduler(request, slug)
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
            run = runs.schedule_run_create(
                term=term,
                actor=request.user,
                time_limit_seconds=form.cleaned_data["time_limit"],
                instance_data=data,
            )
        except ServiceError as error:
            problem = error.message
        else:
            return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)
    return _render_page(request, term, latest, status=400, problem_message=problem)


def _slot_from_form(form: Any, run: ScheduleRun, zone: str) -> int:
    instance = instances.run_instance(run)
    try:
        return slots.wall_clock_to_slot(
            form.cleaned_data["weekday"],
            form.cleaned_data["start_time"],
            zone,
            run.week_monday,
            instance.slot_minutes,
        )
    except ValueError as error:
        raise InvalidInputError(str(error)) from error


@login_required
@require_POST
def run_edit(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """One hand edit (move a participant, change a time, change the facilitator), applied only
    when the validator accepts the result; otherwise every violation is shown, nothing saved."""
    term = rules.require_scheduler(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    view = selectors.run_view(run=run, term=term, viewer_zone=_viewer_zone(request))
    section_choices = [(row.index, str(row.index + 1)) for row in view.sections]
    action = request.POST.get("action", "")
    edit: editing.Edit | None = None
    form: Any
    try:
        if action == "move":
            form = MoveForm(
                request.POST,
                participants=[(person.id, person.id) for person in view.participants],
                sections=section_choices,
            )
            if form.is_valid():
                edit = editing.MoveParticipant(
                    form.cleaned_data["participant"], form.cleaned_data["to_section"]
                )
        elif action == "time":
            form = ChangeTimeForm(request.POST, sections=section_choices)
            if form.is_valid():
                start = _slot_from_form(form, run, _viewer_zone(request))
                edit = editing.ChangeTime(form.cleaned_data["section"], start)
        elif action == "facilitator":
            form = ChangeFacilitatorForm(
                request.POST,
                sections=section_choices,
                facilitators=[(person.id, person.id) for person in view.facilitators],
            )
            if form.is_valid():
                edit = editing.ChangeFacilitator(
                    form.cleaned_data["section"], form.cleaned_data["facilitator"]
                )
        else:
            raise InvalidInputError("Unknown change.")
        if edit is None:
            raise InvalidInputError("Check the fields of the change.")
        editing.run_solution_edit(run=run, edit=edit, actor=request.user)
    except ServiceError as error:
        teller = view.teller
        return _render_page(
            request,
            term,
            run,
            status=400,
            problems=[teller.in_words(p) if teller else p for p in _problems(error)],
            problem_message=error.message,
            moving=request.POST.get("participant", "") if action == "move" else "",
        )
    messages.success(request, "Change saved; the solution is still valid.")
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)


@login_required
@require_POST
def run_what_if(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    term = rules.require_scheduler(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    instance = instances.run_instance(run)
    tracks = list(instance.tracks or sorted(instance.known_tracks()))
    form = WhatIfForm(request.POST, tracks=tracks)
    try:
        if not form.is_valid():
            raise InvalidInputError("Pick a track, a day and a time.")
        start = _slot_from_form(form, run, _viewer_zone(request))
        more = editing.run_what_if(run=run, track=form.cleaned_data["track"], start_slot=start)
    except ServiceError as error:
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


def _render_confirm(
    request: HttpRequest,
    term: Term,
    run: ScheduleRun,
    *,
    status: int = 200,
    problem_message: str = "",
    problems: list[str] | None = None,
) -> HttpResponse:
    preview: publishing.PublishPreview | None = None
    refusal = ""
    refusal_problems: list[str] = []
    try:
        preview = publishing.run_publish_preview(run=run)
    except ServiceError as error:
        refusal, refusal_problems = error.message, _problems(error)
    return render(
        request,
        "scheduling/publish_confirm.html",
        {
            "term": term,
            "run": run,
            "preview": preview,
            "new_members": placements.publish_new_members(run=run) if preview else [],
            "refusal": refusal,
            "refusal_problems": refusal_problems,
            "problem_message": problem_message,
            "problems": problems or [],
        },
        status=status,
    )


@login_required
@require_GET
def run_publish_confirm(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """Before publishing: how many people will be emailed (counted now), one of the emails as
    it will be sent, and what cannot be undone."""
    term = rules.require_scheduler(request, slug)
    return _render_confirm(request, term, selectors.run_get(term=term, run_id=run_id))


@login_required
@require_POST
def run_publish(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """Publish as confirmed: refused (409, nothing written or sent) when the people to email
    are no longer as many as the confirmation page said."""
    term = rules.require_scheduler(request, slug)
    run = selectors.run_get(term=term, run_id=run_id)
    try:
        expected = int(request.POST.get("expected_emails", ""))
    except ValueError:
        return _render_confirm(
            request,
            term,
            run,
            status=400,
            problem_message="Confirm the number of people to email on this page, then publish.",
        )
    try:
        summary = publishing.run_publish(
            run=run,
            actor=request.user,
            grant_roles=request.POST.get("grant_roles") == "yes",
            expected_emails=expected,
        )
    except ServiceError as error:
        return _render_confirm(
            request,
            term,
            run,
            status=error.http_status,
            problems=_problems(error),
            problem_message=error.message,
        )
    messages.success(
        request,
        f"Published: {summary.sections_created} new sections, {summary.sections_kept} kept, "
        f"{summary.memberships_created} members placed, {summary.emails_queued} emails sent.",
    )
    return redirect("scheduling:run_detail", slug=term.slug, run_id=run.pk)
