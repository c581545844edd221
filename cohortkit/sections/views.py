"""A member's own sections page and the weeks of the term: the facilitators' sections,
attendance, apologies and switching sections. Each view parses, authorizes (``rules``), calls a
service, renders or redirects."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohortkit.accounts import rules as account_rules
from cohortkit.accounts.models import Role, User
from cohortkit.common.errors import InvalidInputError, ServiceError
from cohortkit.common.tables import Column, table_page
from cohortkit.programs.selectors import term_current_week, term_get
from cohortkit.sections import attendance as attendance_services
from cohortkit.sections import removing, rosters, rules, selectors, staffing, switching
from cohortkit.sections.attendance import Mark
from cohortkit.sections.errors import ProblemsError
from cohortkit.sections.models import AttendanceStatus, Meeting, Section


def _viewer_zone(request: HttpRequest) -> str:
    return str(getattr(request, "viewer_time_zone", "UTC"))


@login_required
@require_GET
def my_sections(request: HttpRequest, slug: str) -> HttpResponse:
    """A member's own sections: facilitator, members, and every meeting in their time zone."""
    term = term_get(slug=slug)
    rules.require_term_member(request, term)
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
        "sections/my_sections.html",
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


ROSTERS_PER_PAGE = 20
ROSTER_COLUMNS = [
    Column("section", "Section", ("name",)),
    Column("track", "Track", ("track__position", "track__name", "name")),
    Column("facilitator", "Facilitator", ("facilitator__name", "facilitator__email")),
]
# A word may be in the section's name, its facilitator's or one of its members' name or email.
ROSTER_SEARCH = (
    "name",
    "facilitator__name",
    "facilitator__email",
    "memberships__user__name",
    "memberships__user__email",
)


def _person(request: HttpRequest) -> User:
    """The signed-in person (the views below are all behind ``login_required``)."""
    return cast(User, request.user)


@login_required
@require_GET
def facilitator_sections(request: HttpRequest, slug: str) -> HttpResponse:
    """A facilitator's sections (an organizer's: all of the term's): roster with each member's
    time of the next meeting in their own zone, this week's discussion guide, attendance links."""
    term = term_get(slug=slug)
    roles = rules.require_facilitator_or_organizer(request, term)
    # An organizer who leads no section of their own oversees them all.
    everyone = Role.ORGANIZER in roles and Role.FACILITATOR not in roles
    table = None
    section_ids = None
    if everyone:  # one page of the term's sections, searched and sorted as the URL says
        table = table_page(
            request,
            rosters.organized_sections(term=term),
            columns=ROSTER_COLUMNS,
            default_sort="section",
            search_fields=ROSTER_SEARCH,
            per_page=ROSTERS_PER_PAGE,
        )
        section_ids = [section.pk for section in table.rows]
    items, this_week = rosters.facilitated_sections(
        term=term, user=request.user, everyone=everyone, section_ids=section_ids
    )
    return render(
        request,
        "sections/facilitator_sections.html",
        {
            "term": term,
            "items": items,
            "this_week": this_week,
            "everyone": everyone,
            "is_organizer": Role.ORGANIZER in roles,
            "table": table,
            "roster_ids": rosters.roster_people(items),
        },
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
    section = rules.require_section_lead_or_organizer(request, term_get(slug=slug), section_id)
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
        except ServiceError as error:
            problem = error.message
            problems = error.problems if isinstance(error, ProblemsError) else []
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
                "sections:attendance", slug=slug, section_id=section.pk, week=meeting.week
            )
    weeks = [m.week for m in section.meetings.all()]
    return render(
        request,
        "sections/attendance.html",
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
    rules.require_term_member(request, term)
    meeting = get_object_or_404(
        Meeting.objects.select_related("section__term", "section__facilitator"),
        pk=meeting_id,
        section__term=term,
    )
    try:
        attendance_services.apology_send(
            meeting=meeting, user=_person(request), reason=request.POST.get("reason", "")
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Apology sent for week {meeting.week}; your facilitator knows and you are excused.",
        )
    return redirect("sections:my_sections", slug=term.slug)


@login_required
@require_http_methods(["GET", "POST"])
def switch(request: HttpRequest, slug: str) -> HttpResponse:
    """Another section for one week, or from a week on: only sections of the participant's
    track with room whose time they can make (the others are listed with the reason)."""
    term = term_get(slug=slug)
    rules.require_participant(request, term)
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
                raise InvalidInputError("Choose a section.")
        except (ValueError, ServiceError) as error:
            problem = error.message if isinstance(error, ServiceError) else "Choose a week."
        else:
            messages.success(request, done)
            for note in result.notes:
                messages.info(request, note)
            return redirect("sections:my_sections", slug=term.slug)
    options = switching.switch_options(
        term=term, user=request.user, viewer_zone=_viewer_zone(request)
    )
    return render(
        request,
        "sections/switch.html",
        {"term": term, "options": options, "problem": problem},
        status=400 if problem else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, slug: str, section_id: int, user_id: int) -> HttpResponse:
    """Organizers: confirm, then end a person's membership of a section from a chosen week."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    section = rosters.section_of_term(term=term, section_id=section_id)
    membership = removing.membership_current(section=section, user_id=user_id)
    this_week = term_current_week(term)
    problem = ""
    week_text = request.POST.get("from_week", "") if request.method == "POST" else ""
    if request.method == "POST":
        person = get_object_or_404(User, pk=user_id)
        try:
            ended = removing.membership_end(
                section=section,
                user=person,
                from_week=int(week_text) if week_text.isdigit() else 0,
                actor=request.user,
                reason=request.POST.get("reason", "").strip()[:300],
            )
        except InvalidInputError as error:
            problem = error.message
        else:
            if ended:
                messages.success(
                    request,
                    f"{person.name or person.email} is no longer in {section.name} from week "
                    f"{week_text}; they were emailed.",
                )
            else:
                messages.info(
                    request, f"{person.name or person.email} was already not in {section.name}."
                )
            return redirect("sections:facilitator_sections", slug=slug)
    if membership is None:
        raise Http404("This person is not in this section.")
    chosen = int(week_text) if week_text.isdigit() else max(this_week, membership.from_week)
    return render(
        request,
        "sections/member_remove.html",
        {
            "term": term,
            "section": section,
            "membership": membership,
            "person": membership.user,
            "weeks": range(1, term.week_count + 1),
            "chosen": chosen,
            "problem": problem,
        },
        status=400 if problem else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_remove(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    """Organizers: which meetings lose their facilitator and who is emailed, then remove the
    facilitator from the section (it keeps its members)."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    section = rosters.section_of_term(term=term, section_id=section_id)
    problem, status = "", 200
    if request.method == "POST":
        former = section.facilitator
        expected = str(request.POST.get("expected_emails", ""))
        try:
            removed = removing.section_facilitator_remove(
                section=section,
                actor=request.user,
                reason=request.POST.get("reason", "").strip()[:300],
                expected_emails=int(expected) if expected.isdigit() else None,
            )
        except ServiceError as error:
            # The count changed: this page again, counted anew, with the reason.
            problem, status = error.message, error.http_status
        else:
            if removed and former is not None:
                messages.success(
                    request,
                    f"{former.name or former.email} no longer facilitates {section.name}; they "
                    "and the section's members were emailed.",
                )
            else:
                messages.info(request, f"{section.name} already had no facilitator.")
            return redirect("sections:facilitator_sections", slug=slug)
    return render(
        request,
        "sections/facilitator_remove.html",
        {
            "term": term,
            "section": section,
            "removal": removing.facilitator_removal_preview(section=section),
            "problem": problem,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def facilitator_assign(request: HttpRequest, slug: str, section_id: int) -> HttpResponse:
    """Organizers: choose which of the term's facilitators leads a section that has none; the
    ones whose meetings would overlap are shown with the reason, in the organizer's zone."""
    term = term_get(slug=slug)
    account_rules.require_term_role(request, term, Role.ORGANIZER)
    section = rosters.section_of_term(term=term, section_id=section_id)
    zone_name = _viewer_zone(request)
    problem, field_problem, status = "", "", 200
    if request.method == "POST":
        chosen = str(request.POST.get("facilitator", "")).strip()
        try:
            if not chosen.isdigit():
                raise InvalidInputError(
                    "Choose one of the term's facilitators.",
                    field_errors={"facilitator": "Choose a facilitator."},
                )
            changed = staffing.section_facilitator_assign(
                section=section, facilitator_id=int(chosen), actor=request.user, zone_name=zone_name
            )
        except ServiceError as error:
            problem, status = error.message, error.http_status
            field_problem = str(getattr(error, "field_errors", {}).get("facilitator", ""))
        else:
            leader = section.facilitator
            if changed and leader is not None:
                messages.success(
                    request,
                    f"{leader.name or leader.email} now facilitates {section.name}; they and the "
                    "section's members were emailed.",
                )
            return redirect("sections:facilitator_sections", slug=slug)
    return render(
        request,
        "sections/facilitator_assign.html",
        {
            "term": term,
            "section": section,
            "candidates": staffing.facilitator_candidates(section=section, zone_name=zone_name),
            "problem": problem,
            "field_problem": field_problem,
        },
        status=status,
    )
