"""The completion rule in force, and the sentence the program page shows for it.

The rule of a track is its own newest version, else the term-wide rule's newest version, else
the term's defaults (``Term.completion_min_meetings`` / ``completion_min_assignments``, set by
the term's YAML); "version 0" is that default, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from cohortkit.completion.models import CompletionRule
from cohortkit.programs.models import Term


@dataclass(frozen=True)
class RuleSet:
    """Every rule of a term as it stands: the term-wide one and each track's own, if any."""

    term_rule: CompletionRule
    track_rules: dict[int, CompletionRule]

    def for_track(self, track_id: int | None) -> CompletionRule:
        if track_id is not None and track_id in self.track_rules:
            return self.track_rules[track_id]
        return self.term_rule

    @property
    def excused_counts(self) -> bool:
        return self.term_rule.excused_counts

    @property
    def facilitator_certificates(self) -> bool:
        return self.term_rule.facilitator_certificates


def default_rule(term: Term) -> CompletionRule:
    """The unsaved "version 0" from the term's own settings."""
    return CompletionRule(
        term=term,
        track=None,
        version=0,
        min_meetings=term.completion_min_meetings,
        min_assignments=term.completion_min_assignments,
        created_at=timezone.now(),
    )


def _newest(rules: Iterable[CompletionRule]) -> dict[int | None, CompletionRule]:
    newest: dict[int | None, CompletionRule] = {}
    for rule in rules:
        known = newest.get(rule.track_id)
        if known is None or rule.version > known.version:
            newest[rule.track_id] = rule
    return newest


def rules_of_term(*, term: Term) -> RuleSet:
    """The newest version of each of the term's rules: one query."""
    newest = _newest(CompletionRule.objects.filter(term=term).select_related("track"))
    term_rule = newest.pop(None, None) or default_rule(term)
    return RuleSet(
        term_rule,
        {
            track_id: rule
            for track_id, rule in newest.items()
            if track_id is not None and not rule.follows_term
        },
    )


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def rule_sentence(rule: CompletionRule, *, week_count: int, excused_counts: bool) -> str:
    """The rule in plain words, e.g. "Attend at least 7 of the 8 meetings (an excused absence
    counts), have 7 written assignments marked complete and fill in the end-of-course
    feedback form."."""
    parts = []
    if rule.min_meetings:
        excused = "an excused absence counts" if excused_counts else "excused absences do not count"
        parts.append(
            f"attend at least {rule.min_meetings} of the {week_count} discussion meetings "
            f"({excused})"
        )
    if rule.min_assignments:
        parts.append(
            "have "
            + _count(rule.min_assignments, "written assignment", "written assignments")
            + " marked complete by your facilitator"
        )
    if rule.min_quizzes:
        parts.append(
            "pass " + _count(rule.min_quizzes, "quiz", "quizzes") + f" (pass mark "
            f"{rule.quiz_pass_percent}% unless a quiz says otherwise)"
        )
    if rule.feedback_required:
        parts.append("fill in the end-of-course feedback form")
    if not parts:
        return "Everyone enrolled completes the course."
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"To complete the course, {text}."


def term_rule_sentences(*, term: Term) -> list[tuple[str, str]]:
    """(heading, sentence) for the program page: the term-wide rule, then any track's own."""
    rules = rules_of_term(term=term)
    sentences = [
        (
            "",
            rule_sentence(
                rules.term_rule, week_count=term.week_count, excused_counts=rules.excused_counts
            ),
        )
    ]
    own = [(rule.track, rule) for rule in rules.track_rules.values() if rule.track is not None]
    for track, rule in sorted(own, key=lambda item: item[0].position):
        sentences.append(
            (
                track.name,
                rule_sentence(
                    rule, week_count=term.week_count, excused_counts=rules.excused_counts
                ),
            )
        )
    return sentences
