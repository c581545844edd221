"""POST rows of the quiz pages (collected by cohortkit/tests/test_permissions_post.py).

Participants take quizzes (everyone else in the term: 403, organizers included); organizers edit
and regrade them (everyone else in the term: 403).
"""

from __future__ import annotations

from typing import Any

from cohortkit.tests.post_matrix import ORGANIZER_POSTS, PARTICIPANT_POSTS, Post, World


def _quiz(world: World) -> Any:
    from cohortkit.quizzes.tests.factories import numeric_question, quiz_in

    quiz = quiz_in(world.term)
    numeric_question(quiz, "-0.25")
    return quiz


def _answer_to_the_quiz(world: World) -> dict[str, str]:
    from cohortkit.quizzes.forms import answer_field_name
    from cohortkit.quizzes.models import Question

    question = Question.objects.get(quiz_id=world.args[1])
    return {answer_field_name(question): "-0.25", "submit_token": "matrix"}


def _attempted_quiz(world: World) -> list[Any]:
    from cohortkit.quizzes.services import attempt_submit

    quiz = _quiz(world)
    attempt_submit(quiz=quiz, user=world.person("participant"), answers={}, submit_token="m")
    return [world.term.slug, quiz.pk]


def _text_question(world: World) -> list[Any]:
    from cohortkit.quizzes.tests.factories import quiz_in, text_question

    quiz = quiz_in(world.term)
    question = text_question(quiz, [("alignment", False)])
    return [world.term.slug, quiz.pk, question.pk]


def _question_as_the_page_has_it(world: World) -> dict[str, Any]:
    """The editor's fields as the page fills them in, with a new prompt."""
    from cohortkit.quizzes.forms import QuestionEditor
    from cohortkit.quizzes.models import Question

    question = Question.objects.get(pk=world.args[2])
    editor = QuestionEditor(question, number_format=world.term.number_format)
    data: dict[str, Any] = {}
    for form in [editor.form, editor.keys.management_form, *editor.keys.forms]:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False):
                data[form.add_prefix(name)] = str(value)
    return data | {editor.form.add_prefix("prompt"): "Name the field, in one word."}


POST_ROWS: dict[str, Post] = {
    "quizzes:submit": Post(
        args=lambda w: [w.term.slug, _quiz(w).pk],
        data=_answer_to_the_quiz,
        answers=PARTICIPANT_POSTS,
    ),
    "quizzes:question_add": Post(
        args=lambda w: [w.term.slug, _quiz(w).pk],
        data={"kind": "short_text", "prompt": "Name the field.", "points": "1"},
        answers=ORGANIZER_POSTS,
    ),
    "quizzes:question_save": Post(
        args=_text_question, data=_question_as_the_page_has_it, answers=ORGANIZER_POSTS
    ),
    "quizzes:regrade": Post(args=_attempted_quiz, answers=ORGANIZER_POSTS),
}
