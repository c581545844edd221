"""Progress toward completion: the one selector every page uses (the participant's week and
term pages, the facilitators' roster, the organizers' overview and completion page).

``term_progress`` reads the term once (``coursework.overview.queries.term_facts`` plus eight
queries), whatever the number of people, and judges each participant by the rule of their track:

- **Meetings attended**: present at the meeting they were expected at (their section's that
  week, or the one they visited); excused counts too when the term says so. A meeting that has
  started with nothing recorded yet is still possible.
- **Assignments complete**: the facilitator's latest review of the person's work says
  *complete*. Overdue ones (due date passed, nothing handed in or *needs revision*) use up the
  slack.
- **Quizzes passed**: the best attempt reaches the quiz's pass mark (its own, else the rule's).
  A quiz failed with no attempt left can no longer be passed.
- **Feedback**: the end-of-course form submitted while it is open.

Once the term is over, nothing more is possible: what is there is the evidence. The status is
*on track*, *at risk* (one more miss and the rule cannot be met) or *cannot complete any more*.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cohortkit.accounts.models import Role, User
from cohortkit.admissions.models import Enrollment
from cohortkit.completion.models import (
    Completion,
    CompletionOverride,
    CompletionRule,
    FeedbackForm,
    FeedbackResponse,
    QuizPassMark,
)
from cohortkit.completion.rule import RuleSet, rules_of_term
from cohortkit.coursework.due import term_due_at
from cohortkit.coursework.models import Feedback, FeedbackVerdict
from cohortkit.coursework.overview.queries import TermFacts, term_facts
from cohortkit.programs.models import Quiz, Term, Track
from cohortkit.programs.selectors import term_ends_at
from cohortkit.quizzes.models import Attempt
from cohortkit.sections.models import AttendanceStatus, Section

ON_TRACK, AT_RISK, CANNOT = "on_track", "at_risk", "cannot"
STATUS_LABELS = {
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    CANNOT: "Cannot complete any more",
}


@dataclass
class Tally:
    """One requirement: how many are done, how many are needed, of how many, and how many
    could still be done (done + not yet lost)."""

    done: int = 0
    need: int = 0
    total: int = 0
    possible: int = 0
    so_far: int = 0  # meetings: held so far; assignments and quizzes: due so far

    @property
    def met(self) -> bool:
        return self.done >= self.need

    @property
    def lost(self) -> bool:
        return self.possible < self.need

    @property
    def slack(self) -> int:
        return self.possible - self.need

    @property
    def to_go(self) -> int:
        return max(0, self.need - self.done)


@dataclass
class Progress:
    user: User
    track: Track | None
    section: Section | None
    rule: CompletionRule
    excused_counts: bool
    term_over: bool
    meetings: Tally = field(default_factory=Tally)
    assignments: Tally = field(default_factory=Tally)
    quizzes: Tally = field(default_factory=Tally)
    feedback_required: bool = False
    feedback_submitted: bool = False
    feedback_possible: bool = True

    @property
    def feedback_met(self) -> bool:
        return not self.feedback_required or self.feedback_submitted

    @property
    def verdict(self) -> bool:
        """What the rule says now: every requirement met."""
        return self.meetings.met and self.assignments.met and self.quizzes.met and self.feedback_met

    @property
    def status(self) -> str:
        if self.verdict:
            return ON_TRACK
        lost_feedback = self.feedback_required and not self.feedback_submitted
        if (
            self.meetings.lost
            or self.assignments.lost
            or self.quizzes.lost
            or (lost_feedback and not self.feedback_possible)
        ):
            return CANNOT
        tallies = (self.meetings, self.assignments, self.quizzes)
        if any(not tally.met and tally.slack <= 0 for tally in tallies):
            return AT_RISK
        return ON_TRACK

    @property
    def status_label(self) -> str:
        if self.verdict:
            return "Requirements met"
        return STATUS_LABELS[self.status]

    def evidence(self) -> dict[str, Any]:
        """What the completion page shows and a confirmation stores."""
        return {
            "meetings": [self.meetings.done, self.meetings.need, self.meetings.total],
            "assignments": [self.assignments.done, self.assignments.need, self.assignments.total],
            "quizzes": [self.quizzes.done, self.quizzes.need, self.quizzes.total],
            "feedback": [self.feedback_submitted, self.feedback_required],
            "excused_counts": self.excused_counts,
            "rule_version": self.rule.version,
        }

    def sentences(self) -> list[str]:
        """The person's progress in plain words, one sentence per requirement."""
        lines = []
        meetings = self.meetings
        if meetings.need:
            attended = "attended" if not self.excused_counts else "attended (or were excused from)"
            lines.append(
                f"You {attended} {meetings.done} of {_count(meetings.so_far, 'meeting')} so far; "
                f"to complete you need {meetings.need} of {meetings.total}."
            )
        if self.assignments.need:
            lines.append(_to_go(self.assignments, "assignment", "marked complete"))
        if self.quizzes.need:
            lines.append(_to_go(self.quizzes, "quiz", "passed", plural="quizzes"))
        if self.feedback_required:
            lines.append(
                "You have sent the end-of-course feedback."
                if self.feedback_submitted
                else "The end-of-course feedback form is still to fill in."
            )
        return lines

    @property
    def summary(self) -> str:
        return " ".join(self.sentences())


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


def _to_go(tally: Tally, noun: str, done: str, plural: str | None = None) -> str:
    if tally.met:
        return f"{_count(tally.done, noun, plural)} {done}: enough to complete."
    return (
        f"{_count(tally.done, noun, plural)} {done} of the {tally.need} needed; "
        f"{_count(tally.to_go, noun, plural)} to go."
    )


@dataclass
class ProgressFacts:
    """What ``term_progress`` read, kept for pages that need more of it."""

    facts: TermFacts
    rules: RuleSet
    people: list[User]
    progress: dict[int, Progress]
    feedback_form: FeedbackForm | None


def _participants(term: Term, facts: TermFacts) -> list[User]:
    """Everyone with a section in the term, and participants without one yet."""
    people = {person.pk: person for person in facts.people}
    others = User.objects.filter(memberships__term=term, memberships__role=Role.PARTICIPANT)
    if facts.user_ids is not None:  # only the people the facts were read for
        others = others.filter(pk__in=facts.user_ids)
    for user in others.exclude(pk__in=list(people)):
        people[user.pk] = user
    return sorted(people.values(), key=lambda person: (person.name, person.email))


def term_progress(
    *,
    term: Term,
    now: dt.datetime | None = None,
    facts: TermFacts | None = None,
    user_ids: Collection[int] | None = None,
) -> ProgressFacts:
    """Every participant's progress (or only ``user_ids``'s, e.g. a roster's), each by the rule
    of their track, in a fixed number of queries (ten, with ``facts`` the page already read)."""
    if facts is None:
        now = now or timezone.now()
        facts = term_facts(term=term, now=now, user_ids=user_ids)
    now = facts.now
    ids = facts.user_ids

    def mine(queryset: QuerySet[Any], field: str = "user_id") -> QuerySet[Any]:
        return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})

    rules = rules_of_term(term=term)
    people = _participants(term, facts)
    term_over = now >= term_ends_at(term)
    enrolled_tracks = dict(
        mine(
            Enrollment.objects.filter(term=term, role="participant", track__isnull=False)
        ).values_list("user_id", "track_id")
    )
    tracks = {track.pk: track for track in facts.tracks}
    quizzes = list(
        Quiz.objects.filter(week__term=term)
        .select_related("week__term")
        .prefetch_related(Prefetch("tracks", queryset=Track.objects.only("id")))
        .order_by("week__number", "position", "id")
    )
    quiz_tracks = {quiz.pk: {track.pk for track in quiz.tracks.all()} for quiz in quizzes}
    pass_marks = dict(
        QuizPassMark.objects.filter(quiz__week__term=term).values_list("quiz_id", "pass_percent")
    )
    best: dict[tuple[int, int], tuple[int, int]] = {}
    used: dict[tuple[int, int], int] = defaultdict(int)
    for quiz_id, user_id, score, max_score in mine(
        Attempt.objects.filter(quiz__week__term=term)
    ).values_list("quiz_id", "user_id", "score", "max_score"):
        used[(quiz_id, user_id)] += 1
        known = best.get((quiz_id, user_id))
        if known is None or score * max(known[1], 1) > known[0] * max(max_score, 1):
            best[(quiz_id, user_id)] = (score, max_score)
    # The latest review of any version of the person's work on an assignment counts.
    verdicts: dict[tuple[int, int], str] = {}
    for assignment_id, user_id, verdict in (
        mine(
            Feedback.objects.filter(version__submission__assignment__week__term=term),
            "version__submission__user_id",
        )
        .order_by("created_at", "id")
        .values_list(
            "version__submission__assignment_id", "version__submission__user_id", "verdict"
        )
    ):
        verdicts[(assignment_id, user_id)] = verdict
    feedback_form = FeedbackForm.objects.filter(term=term).first()
    responded = set(
        mine(FeedbackResponse.objects.filter(form__term=term)).values_list("user_id", flat=True)
    )
    feedback_open_later = feedback_form is not None and now < feedback_form.closes_at

    progress: dict[int, Progress] = {}
    for person in people:
        section = facts.latest_section(person.pk)
        track_id = section.track_id if section else enrolled_tracks.get(person.pk)
        rule = rules.for_track(track_id)
        item = Progress(
            user=person,
            track=tracks.get(track_id) if track_id else None,
            section=section,
            rule=rule,
            excused_counts=rules.excused_counts,
            term_over=term_over,
            feedback_required=rule.feedback_required,
            feedback_submitted=person.pk in responded,
            feedback_possible=feedback_open_later,
        )
        _tally_meetings(item, facts, rules.excused_counts)
        _tally_assignments(item, facts, verdicts)
        _tally_quizzes(item, quizzes, quiz_tracks, pass_marks, best, used, rule, now)
        if term_over:
            for tally in (item.meetings, item.assignments, item.quizzes):
                tally.possible = tally.done
        progress[person.pk] = item
    return ProgressFacts(facts, rules, people, progress, feedback_form)


def _tally_meetings(item: Progress, facts: TermFacts, excused_counts: bool) -> None:
    tally = item.meetings
    tally.need = item.rule.min_meetings
    counted = {AttendanceStatus.PRESENT} | ({AttendanceStatus.EXCUSED} if excused_counts else set())
    for week in range(1, facts.term.week_count + 1):
        meeting = facts.expected.get((item.user.pk, week))
        if meeting is None:
            continue
        tally.total += 1
        if not facts.started(meeting):
            tally.possible += 1
            continue
        tally.so_far += 1
        status = facts.statuses.get((item.user.pk, meeting.pk))
        if status in counted:
            tally.done += 1
            tally.possible += 1
        elif status is None:
            tally.possible += 1  # not recorded yet: it may still be


def _tally_assignments(
    item: Progress, facts: TermFacts, verdicts: dict[tuple[int, int], str]
) -> None:
    tally = item.assignments
    tally.need = item.rule.min_assignments
    for assignment in facts.assignments:
        verdict = verdicts.get((assignment.pk, item.user.pk))
        section = facts.section_in_week(item.user.pk, assignment.week.number)
        expected = section is not None and facts.sees(assignment, section)
        if verdict == FeedbackVerdict.COMPLETE:
            tally.done += 1
            tally.total += 1
            tally.possible += 1
            tally.so_far += 1
            continue
        if not expected or section is None:
            continue
        tally.total += 1
        due = facts.due_of(assignment, item.user.pk, section)
        handed_in = bool(facts.versions.get((assignment.pk, item.user.pk)))
        if due <= facts.now:
            tally.so_far += 1
        overdue = due <= facts.now and (not handed_in or verdict == FeedbackVerdict.NEEDS_REVISION)
        if not overdue:
            tally.possible += 1


def _tally_quizzes(
    item: Progress,
    quizzes: list[Quiz],
    quiz_tracks: dict[int, set[int]],
    pass_marks: dict[int, int],
    best: dict[tuple[int, int], tuple[int, int]],
    used: dict[tuple[int, int], int],
    rule: CompletionRule,
    now: dt.datetime,
) -> None:
    tally = item.quizzes
    tally.need = rule.min_quizzes
    for quiz in quizzes:
        tracks = quiz_tracks.get(quiz.pk, set())
        if tracks and (item.track is None or item.track.pk not in tracks):
            continue
        tally.total += 1
        if term_due_at(quiz) <= now:
            tally.so_far += 1
        score = best.get((quiz.pk, item.user.pk))
        percent = pass_marks.get(quiz.pk, rule.quiz_pass_percent)
        if score is not None and score[1] > 0 and score[0] * 100 >= percent * score[1]:
            tally.done += 1
            tally.possible += 1
        elif used.get((quiz.pk, item.user.pk), 0) < quiz.max_attempts:
            tally.possible += 1


def progress_of(*, term: Term, user: Any, now: dt.datetime | None = None) -> Progress | None:
    """One participant's progress (None for people who are not participants of the term)."""
    return term_progress(term=term, now=now, user_ids=[user.pk]).progress.get(user.pk)


# The organizers' completion page ---------------------------------------------------------


@dataclass
class CompletionRow:
    progress: Progress
    override: CompletionOverride | None
    completion: Completion | None

    @property
    def user(self) -> User:
        return self.progress.user

    @property
    def outcome(self) -> bool:
        """What confirming now would record: the override, else the rule's verdict."""
        return self.override.completes if self.override else self.progress.verdict

    @property
    def changed_since_confirmation(self) -> bool:
        return self.completion is not None and self.completion.completed != self.outcome


@dataclass
class CompletionPage:
    term: Term
    rows: list[CompletionRow]
    rules: RuleSet
    term_over: bool

    @property
    def unconfirmed(self) -> list[CompletionRow]:
        return [row for row in self.rows if row.completion is None]

    @property
    def changed(self) -> list[CompletionRow]:
        return [row for row in self.rows if row.changed_since_confirmation]

    @property
    def completers(self) -> int:
        return sum(1 for row in self.rows if row.outcome)


def completion_rows(*, term: Term, now: dt.datetime | None = None) -> CompletionPage:
    """Everyone with their evidence, the rule's verdict, any override and the confirmed
    outcome: ``term_progress`` and two queries more."""
    now = now or timezone.now()
    read = term_progress(term=term, now=now)
    overrides = {
        override.user_id: override for override in CompletionOverride.objects.filter(term=term)
    }
    completions = {
        completion.user_id: completion for completion in Completion.objects.filter(term=term)
    }
    rows = [
        CompletionRow(
            read.progress[person.pk], overrides.get(person.pk), completions.get(person.pk)
        )
        for person in read.people
    ]
    return CompletionPage(term, rows, read.rules, now >= term_ends_at(term))


def confirmed_completers(*, term: Term) -> list[User]:
    """The people whose completion of the term is confirmed (the stipend is paid to them)."""
    return list(
        User.objects.filter(completions__term=term, completions__completed=True).order_by(
            "name", "email"
        )
    )
