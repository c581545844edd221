"""Each part of the completion rule, judged on evidence recorded through the real services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.common.errors import InvalidInputError
from cohortkit.completion import services
from cohortkit.completion.models import CompletionRule
from cohortkit.completion.rule import term_rule_sentences
from cohortkit.completion.selectors import AT_RISK, CANNOT, ON_TRACK, progress_of
from cohortkit.completion.tests.helpers import (
    AFTER_THE_TERM,
    assignments,
    attend,
    hand_in,
    take,
    two_point_quiz,
)
from cohortkit.programs.models import Track
from cohortkit.sections.models import Meeting

pytestmark = pytest.mark.django_db

ONLY_MEETINGS = {"min_meetings": 7, "min_assignments": 0}


def _rule(term, people, **values):
    return services.completion_rule_set(term=term, actor=people["organizer"], values=values)


@pytest.mark.parametrize(("excused_counts", "completes"), [(True, True), (False, False)])
def test_an_excused_absence_counts_only_when_the_term_says_so(
    term, people, sections, excused_counts, completes
):
    _rule(term, people, **ONLY_MEETINGS, excused_counts=excused_counts)
    attend(sections["a"], people["participant"], ["present"] * 6 + ["excused", "present"])

    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)

    assert progress.meetings.done == (8 if excused_counts else 7)
    assert progress.verdict is True  # 7 present either way
    _rule(term, people, min_meetings=8, excused_counts=excused_counts)
    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)
    assert progress.verdict is completes


def test_a_track_rule_wins_for_that_track_only(term, people, sections):
    _rule(term, people, **ONLY_MEETINGS)
    intro = Track.objects.get(term=term, slug="intro")
    advanced = Track.objects.get(term=term, slug="advanced")
    attend(sections["a"], people["participant"], ["present"] * 7 + ["absent"])

    services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 8}, track=advanced
    )
    assert progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM).verdict

    rule = services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 8}, track=intro
    )
    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)
    assert progress.rule == rule
    assert (progress.meetings.done, progress.meetings.need, progress.verdict) == (7, 8, False)
    headings = [heading for heading, _ in term_rule_sentences(term=term)]
    assert headings == ["", "Introductory", "Advanced"]


def test_a_quiz_passes_at_its_own_pass_mark(term, people, sections):
    quiz = two_point_quiz(term, people["organizer"])
    _rule(term, people, min_meetings=0, min_assignments=0, min_quizzes=1, quiz_pass_percent=60)
    take(quiz, people["participant"], ["1", "5"])  # one of two right: 50 %

    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)
    assert (progress.quizzes.done, progress.verdict) == (0, False)

    services.quiz_pass_mark_set(quiz=quiz, actor=people["organizer"], pass_percent=50)
    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)
    assert (progress.quizzes.done, progress.verdict) == (1, True)


def test_assignments_count_once_the_facilitator_marks_them_complete(term, people, sections):
    work = assignments(term, 3)
    _rule(term, people, min_meetings=0, min_assignments=2)
    hand_in(work[0], people["participant"], people["facilitator"])
    hand_in(work[1], people["participant"], people["facilitator"], verdict="needs_revision")

    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)

    assert (progress.assignments.done, progress.assignments.total) == (1, 3)
    assert progress.verdict is False


def test_feedback_required_needs_the_form_submitted(term, people, sections):
    _rule(term, people, min_meetings=0, min_assignments=0, feedback_required=True)
    form = services.feedback_form_default(term=term)
    assert not progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM).verdict

    services.feedback_submit(
        form=form,
        user=people["participant"],
        raw_answers={
            key: "4" for key in ("overall", "lectures", "readings", "section", "facilitator")
        },
        now=AFTER_THE_TERM,
    )

    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)
    assert progress.feedback_submitted and progress.verdict


def test_during_the_term_progress_is_in_plain_words_and_says_at_risk(term, people, sections):
    _rule(term, people, min_meetings=7, min_assignments=2)
    assignments(term, 8)
    a = sections["a"]
    attend(a, people["participant"], ["present"] * 5 + ["absent"])
    week_seven = Meeting.objects.get(section=a, week=7)
    now = week_seven.starts_at - dt.timedelta(hours=1)

    progress = progress_of(term=term, user=people["participant"], now=now)

    assert progress.sentences()[0] == (
        "You attended 5 of 6 meetings so far; to complete you need 7 of 8."
    )
    assert progress.sentences()[1] == (
        "0 assignments marked complete of the 2 needed; 2 assignments to go."
    )
    assert progress.status == AT_RISK  # one more miss and 7 of 8 is out of reach

    attend(a, people["participant"], ["absent"], first_week=7)
    assert (
        progress_of(term=term, user=people["participant"], now=now + dt.timedelta(days=1)).status
        == CANNOT
    )


def test_on_track_at_the_start(term, people, sections):
    _rule(term, people, **ONLY_MEETINGS)
    now = Meeting.objects.get(section=sections["a"], week=1).starts_at - dt.timedelta(days=1)

    assert progress_of(term=term, user=people["participant"], now=now).status == ON_TRACK


def test_every_change_is_a_new_version_and_saving_the_same_rule_is_not(term, people):
    first = _rule(term, people, **ONLY_MEETINGS)
    same = _rule(term, people, **ONLY_MEETINGS)
    second = _rule(term, people, min_meetings=6)

    assert (first.version, same.pk, second.version) == (1, first.pk, 2)
    term.refresh_from_db()
    assert term.completion_min_meetings == 6
    assert CompletionRule.objects.filter(term=term).count() == 2


def test_a_rule_beyond_the_term_is_refused_and_changes_nothing(term, people):
    with pytest.raises(InvalidInputError) as refused:
        _rule(term, people, min_meetings=12)

    assert "only 8 weeks" in refused.value.field_errors["min_meetings"]
    assert not CompletionRule.objects.exists()


def test_the_sentence_says_the_rule(term, people):
    _rule(
        term, people, min_meetings=7, min_assignments=7, excused_counts=True, feedback_required=True
    )

    ((_heading, sentence),) = term_rule_sentences(term=term)

    assert sentence == (
        "To complete the course, attend at least 7 of the 8 discussion meetings (an excused "
        "absence counts), have 7 written assignments marked complete by your facilitator and "
        "fill in the end-of-course feedback form."
    )


def test_a_track_can_follow_the_term_again(term, people, sections):
    _rule(term, people, **ONLY_MEETINGS)
    intro = Track.objects.get(term=term, slug="intro")
    services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 8}, track=intro
    )

    services.completion_rule_remove_track(term=term, actor=people["organizer"], track=intro)

    progress = progress_of(term=term, user=people["participant"], now=AFTER_THE_TERM)
    assert progress.rule.track_id is None and progress.meetings.need == 7
    assert [heading for heading, _ in term_rule_sentences(term=term)] == [""]


def test_the_rule_page_saves_a_version_and_shows_errors_beside_the_field(term, people, client_as):
    client = client_as("organizer")
    url = reverse("completion:rule", args=[term.slug])
    values = {
        "which": "",
        "term-min_meetings": "7",
        "term-min_assignments": "7",
        "term-min_quizzes": "0",
        "term-quiz_pass_percent": "60",
        "term-excused_counts": "on",
    }

    refused = client.post(url, values | {"term-min_meetings": "12"})
    saved = client.post(url, values, follow=True)

    assert refused.status_code == 400 and "only 8 weeks" in refused.content.decode()
    assert "Completion rule saved (version 1)" in saved.content.decode()
    assert "(an excused absence counts)" in saved.content.decode()
    program_page = client.get(reverse("programs:term_detail", args=[term.slug]))
    assert "an excused absence counts" in program_page.content.decode()


def test_the_term_settings_numbers_are_the_term_rules(term, people, client_as):
    from cohortkit.programs.forms import TermSettingsForm

    client = client_as("organizer")
    initial = TermSettingsForm.initial_for(term) | {"completion_min_meetings": 6}
    data = {key: ("on" if value is True else value) for key, value in initial.items()}
    data = {key: value for key, value in data.items() if value is not False and value is not None}

    client.post(reverse("programs:term_settings", args=[term.slug]), data)

    rule = CompletionRule.objects.get(term=term)
    assert (rule.version, rule.min_meetings) == (1, 6)
