"""The quiz pages as people use them: take, submit, read feedback; edit, save, regrade."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.quizzes.models import AcceptedAnswer, Attempt, Question
from cohortkit.quizzes.tests.factories import numeric_question, quiz_in

pytestmark = pytest.mark.django_db


def _token(response):
    return re.search(r'name="submit_token" value="([^"]+)"', response.content.decode()).group(1)


def _take_url(term, quiz):
    return reverse("quizzes:take", args=[term.slug, quiz.pk])


def _submit_url(term, quiz):
    return reverse("quizzes:submit", args=[term.slug, quiz.pk])


def test_the_take_page_shows_the_questions_my_due_date_and_attempts_left(
    term, quiz, questions, client_as
):
    response = client_as("participant").get(_take_url(term, quiz))

    page = response.content.decode()
    assert "The loss change?" in page
    assert "ReLU" in page
    name = f"answer-{questions['loss'].pk}"
    assert re.search(rf'name="{name}" type="text" inputmode="decimal"', page)
    assert 'type="number"' not in page
    assert "You have 2 of 2 attempts left." in page
    # The term's due date, in the viewer's zone (UTC for the test client), with its offset.
    assert '<time datetime="2022-10-03T07:00:00Z">Mon, 03 Oct 2022, 07:00 UTC+00:00</time>' in page
    assert "A number, for example -1,234.5 or -1.5e3." in page


def test_a_comma_term_asks_for_commas(term, quiz, questions, client_as):
    term.number_format = "comma"
    term.save()

    page = client_as("participant").get(_take_url(term, quiz)).content.decode()

    assert "A number, for example -1.234,5 or -1,5e3." in page


def test_submitting_shows_feedback_per_question(term, quiz, questions, client_as):
    client = client_as("participant")
    token = _token(client.get(_take_url(term, quiz)))
    relu = questions["activation"].choices.get(text="ReLU")

    response = client.post(
        _submit_url(term, quiz),
        {
            "submit_token": token,
            f"answer-{questions['loss'].pk}": "−0.25",
            f"answer-{questions['activation'].pk}": str(relu.pk),
            f"answer-{questions['optimizer'].pk}": "SGD",
        },
        follow=True,
    )

    assert response.redirect_chain == [
        (reverse("quizzes:attempt", args=[term.slug, quiz.pk, 1]), 302)
    ]
    page = response.content.decode()
    assert "Score <strong>2/3</strong>" in page
    loss = page[page.index(f'data-testid="feedback-{questions["loss"].pk}"') :]
    assert "✓ Right" in loss[:600]
    assert "<code>−0.25</code>" in loss[:600]
    assert "-0.25 ± 0.01" in loss[:800]
    optimizer = page[page.index(f'data-testid="feedback-{questions["optimizer"].pk}"') :]
    assert "✗ Wrong" in optimizer and "<code>SGD</code>" in optimizer and "Adam" in optimizer
    assert "Try again (1 attempt left)" in page


def test_an_unreadable_number_is_refused_on_the_page_with_the_text_kept_and_no_attempt_used(
    term, quiz, questions, client_as
):
    client = client_as("participant")
    token = _token(client.get(_take_url(term, quiz)))
    name = f"answer-{questions['loss'].pk}"

    response = client.post(
        _submit_url(term, quiz),
        {"submit_token": token, name: "-0,25", f"answer-{questions['optimizer'].pk}": "Adam"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was submitted and no attempt was used: 1 answer is not a number." in page
    field = page[page.index(f'id="id-{name}"') :]
    assert 'value="-0,25"' in field[:300]
    assert 'aria-invalid="true"' in field[:400]
    assert "Use a point for decimals, for example -0.25." in field[:900]
    assert 'value="Adam"' in page
    assert "You have 2 of 2 attempts left." in page
    assert not Attempt.objects.exists()


def test_a_double_post_of_the_page_is_one_attempt(term, quiz, questions, client_as):
    client = client_as("participant")
    data = {"submit_token": _token(client.get(_take_url(term, quiz)))}

    first = client.post(_submit_url(term, quiz), data)
    second = client.post(_submit_url(term, quiz), data)

    assert first["Location"] == second["Location"]
    assert Attempt.objects.count() == 1


def test_after_the_last_attempt_the_page_says_so_and_a_submit_is_refused(
    term, quiz, questions, client_as
):
    client = client_as("participant")
    for _ in range(2):
        client.post(
            _submit_url(term, quiz), {"submit_token": _token(client.get(_take_url(term, quiz)))}
        )

    page = client.get(_take_url(term, quiz)).content.decode()
    refused = client.post(_submit_url(term, quiz), {"submit_token": "a-stale-page"})

    assert "You have used all 2 attempts." in page
    assert "Submit answers" not in page
    assert refused.status_code == 400
    assert "You have used all 2 attempts at this quiz; nothing was submitted." in (
        refused.content.decode()
    )
    assert Attempt.objects.count() == 2


def test_someone_elses_attempt_is_404(term, quiz, questions, client_as, people):
    from cohortkit.accounts.models import Role
    from cohortkit.tests.factories import MembershipFactory, UserFactory

    other = UserFactory()
    MembershipFactory(term=term, user=other, role=Role.PARTICIPANT)
    from cohortkit.quizzes.services import attempt_submit

    attempt_submit(quiz=quiz, user=other, answers={}, submit_token="t")

    response = client_as("participant").get(
        reverse("quizzes:attempt", args=[term.slug, quiz.pk, 1])
    )

    assert response.status_code == 404


def test_a_quiz_of_another_term_is_404(term, other_term, client_as):
    elsewhere = quiz_in(other_term)

    response = client_as("participant").get(_take_url(term, elsewhere))

    assert response.status_code == 404


def _take_page_queries(client, term, quiz):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_take_url(term, quiz))
    assert response.status_code == 200
    return len(queries)


def test_the_take_page_makes_as_many_queries_for_one_question_as_for_many(
    term, sections, client_as
):
    client = client_as("participant")
    one = quiz_in(term, week_number=1)
    numeric_question(one, "1")
    many = quiz_in(term, week_number=2)
    for index in range(12):
        numeric_question(many, str(index), ("5", "1", "relative"))
    from cohortkit.quizzes.tests.factories import choice_question, text_question

    for _ in range(4):
        choice_question(many, [("a", True), ("b", False), ("c", False)])
        text_question(many, [("x", False), ("y", True)])
    client.get(_take_url(term, one))  # warm the session and time-zone lookups

    assert _take_page_queries(client, term, one) == _take_page_queries(client, term, many)


# The organizer's page.


def _edit_url(term, quiz):
    return reverse("quizzes:edit", args=[term.slug, quiz.pk])


def test_an_organizer_fixes_a_wrong_sign_and_regrades_from_the_page(
    term, quiz, people, client_as, django_capture_on_commit_callbacks
):
    from cohortkit.quizzes.services import attempt_submit

    question = numeric_question(quiz, ("0.25", "0.01", "absolute"), prompt="Change of the loss?")
    attempt_submit(
        quiz=quiz, user=people["participant"], answers={question.pk: "-0.25"}, submit_token="t"
    )
    organizer = client_as("organizer")
    edit_page = organizer.get(_edit_url(term, quiz)).content.decode()
    assert 'value="0.25"' in edit_page and "1 attempt stored." in edit_page
    prefix = f"q{question.pk}"

    saved = organizer.post(
        reverse("quizzes:question_save", args=[term.slug, quiz.pk, question.pk]),
        {
            f"{prefix}-prompt": "Change of the loss?",
            f"{prefix}-points": "1",
            f"{prefix}-keys-TOTAL_FORMS": "2",
            f"{prefix}-keys-INITIAL_FORMS": "1",
            f"{prefix}-keys-0-value": "−0.25e0",
            f"{prefix}-keys-0-tolerance": "0.01",
            f"{prefix}-keys-0-tolerance_kind": "absolute",
            f"{prefix}-keys-1-value": "-250",
            f"{prefix}-keys-1-tolerance": "0.001",
            f"{prefix}-keys-1-tolerance_kind": "relative",
        },
        follow=True,
    )

    page = saved.content.decode()
    assert "Question saved. Stored attempts keep their grades until you regrade." in page
    assert "stored attempts keep their old grades until you regrade" in page
    assert sorted(
        AcceptedAnswer.objects.filter(question=question).values_list("value", "tolerance_kind")
    ) == [(Decimal("-250"), "relative"), (Decimal("-0.25"), "absolute")]
    assert Attempt.objects.get().score == 0
    with django_capture_on_commit_callbacks(execute=True):
        regraded = organizer.post(
            reverse("quizzes:regrade", args=[term.slug, quiz.pk]), follow=True
        )
    assert "Regraded 1 attempt: 1 changed." in regraded.content.decode()
    assert Attempt.objects.get().score == 1
    assert [m.to for m in mail.outbox] == [["participant@example.org"]]


def test_a_bad_number_in_the_organizers_form_is_shown_and_nothing_is_saved(term, quiz, client_as):
    question = numeric_question(quiz, ("0.25", "0", "absolute"))
    prefix = f"q{question.pk}"

    response = client_as("organizer").post(
        reverse("quizzes:question_save", args=[term.slug, quiz.pk, question.pk]),
        {
            f"{prefix}-prompt": "Change?",
            f"{prefix}-points": "1",
            f"{prefix}-keys-TOTAL_FORMS": "1",
            f"{prefix}-keys-INITIAL_FORMS": "1",
            f"{prefix}-keys-0-value": "0,25",
            f"{prefix}-keys-0-tolerance": "-1",
            f"{prefix}-keys-0-tolerance_kind": "absolute",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Use a point for decimals, for example 0.25." in page
    assert "A tolerance cannot be negative." in page
    assert list(question.accepted_answers.values_list("value", flat=True)) == [Decimal("0.25")]


def test_an_organizer_adds_a_question(term, quiz, client_as):
    response = client_as("organizer").post(
        reverse("quizzes:question_add", args=[term.slug, quiz.pk]),
        {"kind": "short_text", "prompt": "Name the optimizer.", "points": "2"},
        follow=True,
    )

    question = Question.objects.get(quiz=quiz)
    assert (question.kind, question.points) == ("short_text", 2)
    assert "Question added: now give its accepted answers." in response.content.decode()


def test_the_due_date_shown_follows_a_personal_extension(term, quiz, questions, people, client_as):
    from cohortkit.coursework.due import due_override_set

    due_override_set(
        item=quiz,
        user=people["participant"],
        due=dt.datetime(2022, 10, 10, 12, 0, tzinfo=dt.UTC),
        actor=people["organizer"],
    )

    page = client_as("participant").get(_take_url(term, quiz)).content.decode()

    assert "Mon, 10 Oct 2022, 12:00 UTC+00:00" in page
    assert "your personal extension" in page


def test_accepted_answers_wait_while_attempts_are_left_and_the_due_date_is_ahead(
    term, quiz, questions, client_as, people
):
    from cohortkit.coursework.due import due_override_set

    due_override_set(
        item=quiz,
        user=people["participant"],
        due=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        actor=people["organizer"],
    )
    client = client_as("participant")
    token = _token(client.get(_take_url(term, quiz)))

    page = client.post(
        _submit_url(term, quiz),
        {"submit_token": token, f"answer-{questions['loss'].pk}": "1"},
        follow=True,
    ).content.decode()

    assert 'data-testid="answers-hidden"' in page
    assert 'data-testid="accepted"' not in page
    assert "-0.25 ± 0.01" not in page


def test_after_the_due_date_a_late_attempt_shows_the_answers_but_not_in_the_score_or_csv(
    term, quiz, questions, client_as, people, sections
):
    from cohortkit.quizzes.services import attempt_submit
    from cohortkit.quizzes.tests.conftest import BEFORE_DUE

    participant = people["participant"]
    attempt_submit(
        quiz=quiz,
        user=participant,
        answers={questions["loss"].pk: "5"},
        submit_token="on-time",
        now=BEFORE_DUE,
    )
    client = client_as("participant")  # now is long after the term's due date (2022)
    take = client.get(_take_url(term, quiz)).content.decode()
    relu = questions["activation"].choices.get(text="ReLU")

    feedback = client.post(
        _submit_url(term, quiz),
        {
            "submit_token": _token(client.get(_take_url(term, quiz))),
            f"answer-{questions['loss'].pk}": "-0.25",
            f"answer-{questions['activation'].pk}": str(relu.pk),
            f"answer-{questions['optimizer'].pk}": "Adam",
        },
        follow=True,
    ).content.decode()
    again = client.get(_take_url(term, quiz)).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(
                client_as("organizer")
                .get(reverse("coursework:overview_grades_csv", args=[term.slug]))
                .content.decode()
            )
        )
    )

    assert "a late attempt is marked late and does not count toward your score" in take
    assert "The due date has passed" in take
    assert "Score <strong>3/3</strong>" in feedback
    assert 'data-testid="late-not-counted"' in feedback
    assert 'data-testid="accepted"' in feedback  # past the due date the score cannot change
    assert "Your score: <strong>0/3</strong> (attempt 1)." in again
    assert "late, does not count" in again
    header, *people_rows = rows
    mine = dict(zip(header, next(r for r in people_rows if participant.email in r), strict=True))
    title = f"W1 {quiz.title}"
    assert (mine[f"{title}: best score"], mine[f"{title}: out of"]) == ("0", "3")
    assert mine[f"{title}: late attempts"] == "1"
