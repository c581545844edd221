"""Where a term stands, read for its organizers' home in a fixed number of queries.

Every count is one aggregate query over the whole term (never a loop over its people), so the
home of a term with ten thousand applicants reads as many queries as the home of an empty one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from cohortkit.accounts.models import Membership
from cohortkit.admissions.models import (
    Application,
    ApplicationForm,
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    ReviewAssignment,
)
from cohortkit.community.models import Conversation, ConversationState, PublicQuestion
from cohortkit.community.models import QuestionStatus as PublicQuestionStatus
from cohortkit.completion.models import Completion
from cohortkit.coursework.models import Submission, SubmissionStatus
from cohortkit.payments.models import (
    EligibilityStatus,
    LedgerEntry,
    StipendEligibility,
    Timesheet,
    TimesheetStatus,
)
from cohortkit.programs.models import Term
from cohortkit.programs.selectors import (
    KeyDate,
    term_current_week,
    term_ends_at,
    term_key_dates,
    term_starts_at,
)
from cohortkit.sections.models import Attendance, AttendanceStatus, Meeting, Section


@dataclass
class ApplicationCounts:
    """The applications of one form (participant or facilitator) by status."""

    kind: str
    label: str
    draft: int = 0
    submitted: int = 0
    withdrawn: int = 0
    unassigned: int = 0  # submitted and undecided, no reviewer assigned
    unreviewed: int = 0  # submitted and undecided, no review yet
    reviews: int = 0

    @property
    def total(self) -> int:
        return self.draft + self.submitted + self.withdrawn


@dataclass
class DecisionCounts:
    """The decisions of one form: staged (not yet released) and released, by outcome and by
    the track of each acceptance."""

    kind: str
    label: str
    staged: int = 0
    released: int = 0
    accepted_by_track: dict[str, int] = field(default_factory=dict)
    waitlisted: int = 0
    rejected: int = 0


@dataclass
class EnrollmentCounts:
    """Offers of one role and what the people answered."""

    role: str
    label: str
    offered: int = 0  # no answer yet
    confirmed: int = 0
    declined: int = 0
    lapsed: int = 0
    waitlisted: int = 0


@dataclass
class WeekWork:
    """This week's meetings, attendance and homework."""

    number: int
    meetings: int = 0
    held: int = 0
    held_unrecorded: int = 0
    present: int = 0
    absent: int = 0
    excused: int = 0
    submitted: int = 0  # answers to this week's assignments, submitted


@dataclass
class TermHome:
    term: Term
    now: dt.datetime
    phase: str
    key_dates: list[KeyDate]
    people: dict[str, int]
    applications: list[ApplicationCounts]
    decisions: list[DecisionCounts]
    enrollments: list[EnrollmentCounts]
    sections_by_track: dict[str, int]
    members_placed: int
    week: WeekWork | None
    homework_awaiting_feedback: int
    completions_confirmed: int
    completions_completed: int
    money_owed_minor: int
    timesheets_waiting: int
    eligibility_pending: int
    questions_waiting: int
    conversations_open: int

    @property
    def sections(self) -> int:
        return sum(self.sections_by_track.values())


def _phase(term: Term, now: dt.datetime) -> str:
    last_deadline = max(term.participant_deadline, term.facilitator_deadline)
    if now < last_deadline:
        return "Applications are open"
    if now < term_starts_at(term):
        return "Applications are closed; the term has not started"
    if now < term_ends_at(term):
        return f"Week {term_current_week(term, now)} of {term.week_count} is running"
    return "The term is over"


def _application_counts(term: Term) -> list[ApplicationCounts]:
    forms = {
        form.kind: ApplicationCounts(kind=form.kind, label=form.get_kind_display())
        for form in ApplicationForm.objects.filter(term=term).order_by("kind")
    }
    submitted = Q(status=ApplicationStatus.SUBMITTED)
    # Once decided, a missing review is no longer something to do.
    undecided = submitted & Q(decision__isnull=True)
    has_reviewer = Exists(ReviewAssignment.objects.filter(application=OuterRef("pk")))
    rows = (
        Application.objects.filter(form__term=term)
        .values("form__kind")
        .annotate(
            draft=Count("pk", filter=Q(status=ApplicationStatus.DRAFT)),
            submitted=Count("pk", filter=submitted),
            withdrawn=Count("pk", filter=Q(status=ApplicationStatus.WITHDRAWN)),
            unreviewed=Count("pk", filter=undecided & Q(reviews_count=0)),
            unassigned=Count("pk", filter=undecided & ~has_reviewer),
            reviews_done=Sum("reviews_count"),  # stored by the reviewing services
        )
        .order_by()
    )
    for row in rows:
        counts = forms[row["form__kind"]]
        counts.draft, counts.submitted, counts.withdrawn = (
            row["draft"],
            row["submitted"],
            row["withdrawn"],
        )
        counts.unreviewed, counts.unassigned = row["unreviewed"], row["unassigned"]
        counts.reviews = row["reviews_done"] or 0
    return list(forms.values())


def _decision_counts(term: Term, applications: list[ApplicationCounts]) -> list[DecisionCounts]:
    decisions = {
        counts.kind: DecisionCounts(kind=counts.kind, label=counts.label) for counts in applications
    }
    rows = (
        Decision.objects.filter(application__form__term=term)
        .values("application__form__kind", "outcome", "track__name")
        .annotate(
            staged=Count("pk", filter=Q(released_at__isnull=True)),
            released=Count("pk", filter=Q(released_at__isnull=False)),
        )
        .order_by("track__name")
    )
    for row in rows:
        counts = decisions[row["application__form__kind"]]
        number = row["staged"] + row["released"]
        counts.staged += row["staged"]
        counts.released += row["released"]
        if row["outcome"] == DecisionOutcome.ACCEPT:
            track = row["track__name"] or "No track"
            counts.accepted_by_track[track] = counts.accepted_by_track.get(track, 0) + number
        elif row["outcome"] == DecisionOutcome.WAITLIST:
            counts.waitlisted += number
        else:
            counts.rejected += number
    return list(decisions.values())


def _enrollment_counts(term: Term) -> list[EnrollmentCounts]:
    roles: dict[str, EnrollmentCounts] = {}
    for row in (
        Enrollment.objects.filter(term=term)
        .values("role", "status")
        .annotate(n=Count("pk"))
        .order_by("role")
    ):
        counts = roles.setdefault(
            row["role"], EnrollmentCounts(role=row["role"], label=EnrollmentRole(row["role"]).label)
        )
        attribute = {
            EnrollmentStatus.OFFERED: "offered",
            EnrollmentStatus.CONFIRMED: "confirmed",
            EnrollmentStatus.DECLINED: "declined",
            EnrollmentStatus.LAPSED: "lapsed",
            EnrollmentStatus.WAITLISTED: "waitlisted",
        }[row["status"]]
        setattr(counts, attribute, row["n"])
    return list(roles.values())


def _week_work(term: Term, now: dt.datetime) -> WeekWork | None:
    if not term_starts_at(term) <= now < term_ends_at(term):
        return None
    number = term_current_week(term, now)
    recorded = Exists(Attendance.objects.filter(meeting=OuterRef("pk")))
    held = Q(ends_at__lte=now)
    meetings = Meeting.objects.filter(section__term=term, week=number).aggregate(
        meetings=Count("pk"),
        held=Count("pk", filter=held),
        held_unrecorded=Count("pk", filter=held & ~recorded),
    )
    work = WeekWork(number=number, **meetings)
    for row in (
        Attendance.objects.filter(meeting__section__term=term, meeting__week=number)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        attribute = {
            AttendanceStatus.PRESENT: "present",
            AttendanceStatus.ABSENT: "absent",
            AttendanceStatus.EXCUSED: "excused",
        }[row["status"]]
        setattr(work, attribute, row["n"])
    work.submitted = Submission.objects.filter(
        assignment__week__term=term,
        assignment__week__number=number,
        status=SubmissionStatus.SUBMITTED,
    ).count()
    return work


def _homework_awaiting_feedback(term: Term) -> int:
    """Submissions whose latest version no facilitator has reviewed yet (the stored flag, read
    from the partial index ``submission_awaiting_feedback``)."""
    return Submission.objects.filter(assignment__week__term=term, awaiting_feedback=True).count()


def term_home(*, term: Term, now: dt.datetime | None = None) -> TermHome:
    """Everything the organizer's home shows; a fixed number of queries (about twenty)."""
    now = now or timezone.now()
    people = {
        row["role"]: row["n"]
        for row in Membership.objects.filter(term=term)
        .values("role")
        .annotate(n=Count("pk"))
        .order_by()
    }
    applications = _application_counts(term)
    sections_by_track = {
        row["track__name"]: row["n"]
        for row in Section.objects.filter(term=term)
        .values("track__name", "track__position")
        .annotate(n=Count("pk"))
        .order_by("track__position", "track__name")
    }
    members_placed = (
        Section.objects.filter(term=term)
        .aggregate(n=Count("memberships__user", distinct=True))
        .get("n")
        or 0
    )
    completions = Completion.objects.filter(term=term).aggregate(
        confirmed=Count("pk"), completed=Count("pk", filter=Q(completed=True))
    )
    owed = LedgerEntry.objects.filter(term=term, currency=term.stipend_currency).aggregate(
        total=Sum("amount_minor")
    )
    return TermHome(
        term=term,
        now=now,
        phase=_phase(term, now),
        key_dates=term_key_dates(term),
        people=people,
        applications=applications,
        decisions=_decision_counts(term, applications),
        enrollments=_enrollment_counts(term),
        sections_by_track=sections_by_track,
        members_placed=members_placed,
        week=_week_work(term, now),
        homework_awaiting_feedback=_homework_awaiting_feedback(term),
        completions_confirmed=completions["confirmed"],
        completions_completed=completions["completed"],
        money_owed_minor=owed["total"] or 0,
        timesheets_waiting=Timesheet.objects.filter(
            term=term, status=TimesheetStatus.SUBMITTED
        ).count(),
        eligibility_pending=StipendEligibility.objects.filter(
            term=term, status=EligibilityStatus.PENDING
        ).count(),
        questions_waiting=PublicQuestion.objects.filter(
            program_id=term.program_id, status=PublicQuestionStatus.HELD
        ).count(),
        conversations_open=Conversation.objects.filter(
            term=term, state__in=[ConversationState.NEW, ConversationState.WAITING_FOR_US]
        ).count(),
    )
