"""A participant takes a quiz in real Chromium under a decimal-comma term: a negative number in
scientific notation with the Unicode minus is read, graded and shown back as typed; a number
written with the wrong decimal mark is refused without using an attempt."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohortkit.accounts.models import Role
from cohortkit.coursework.due import due_at
from cohortkit.quizzes.models import Attempt
from cohortkit.quizzes.tests.factories import choice_question, numeric_question, quiz_in
from cohortkit.tests.browser.conftest import (
    ORGANIZER_PASSWORD,
    PHONE,
    expected_instant,
    log_in,
    screenshot,
)
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_participant_submits_a_negative_answer_under_a_decimal_comma_and_reads_feedback(
    live_server, new_page, ml_safety_term
):
    term = ml_safety_term
    term.number_format = "comma"
    term.save()
    quiz = quiz_in(
        term,
        week_number=3,
        title="Robustness quiz",
        description="Three short questions on this week's lectures.",
        max_attempts=2,
    )
    loss = numeric_question(
        quiz,
        ("-1500", "0.01", "relative"),
        prompt="An adversarial perturbation changed the logit by how much? (in units)",
    )
    bound = numeric_question(quiz, ("0.03", "0.001", "absolute"), prompt="The ε of the attack?")
    attack = choice_question(
        quiz,
        [("FGSM (one step)", False), ("PGD", True), ("Dropout", False)],
        prompt="Which attack takes several projected gradient steps?",
    )
    person = UserFactory(email="ana@example.org", name="Ana Participant", time_zone="Europe/Berlin")
    MembershipFactory(term=term, user=person, role=Role.PARTICIPANT)
    page = new_page(timezone_id="Europe/Berlin")
    log_in(page, live_server.url, email=person.email, password=ORGANIZER_PASSWORD)

    page.goto(f"{live_server.url}/terms/{term.slug}/quizzes/{quiz.pk}/")
    expect(page.get_by_test_id("attempts-left")).to_contain_text("You have 2 of 2 attempts left.")
    due = due_at(item=quiz, user=person).instant
    expect(page.get_by_test_id("quiz-due")).to_have_text(expected_instant(due, "Europe/Berlin"))
    answer = page.get_by_label("An adversarial perturbation changed the logit")
    assert answer.get_attribute("type") == "text"
    assert answer.get_attribute("inputmode") == "decimal"
    answer.fill("−1,5e3")
    page.get_by_label("The ε of the attack?").fill("0.03")  # a point under the comma format
    page.get_by_label("PGD").check()
    page.get_by_role("button", name="Submit answers").click()

    # A non-number is refused like a form field: the text kept, the rule's message beside it, no
    # attempt used.
    expect(page.get_by_test_id("answer-error")).to_have_text(
        "Use a comma for decimals, for example 0,03."
    )
    expect(page.get_by_label("The ε of the attack?")).to_have_value("0.03")
    expect(page.get_by_label("An adversarial perturbation changed the logit")).to_have_value(
        "−1,5e3"
    )
    expect(page.get_by_test_id("attempts-left")).to_contain_text("You have 2 of 2 attempts left.")
    assert not Attempt.objects.filter(user=person).exists()
    page.get_by_label("The ε of the attack?").fill("0,3")  # a number, but the wrong one
    page.get_by_label("PGD").check()
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_test_id("quiz-score")).to_contain_text("2/3")
    right = page.get_by_test_id(f"feedback-{loss.pk}")
    expect(right).to_contain_text("✓ Right")
    expect(right.get_by_test_id("your-answer")).to_have_text("−1,5e3")
    wrong = page.get_by_test_id(f"feedback-{bound.pk}")
    expect(wrong).to_contain_text("✗ Wrong")
    expect(wrong.get_by_test_id("your-answer")).to_have_text("0,3")
    # An attempt is left, so the accepted answers stay hidden for now.
    expect(page.get_by_test_id("accepted")).to_have_count(0)
    expect(page.get_by_test_id("answers-hidden")).to_be_visible()
    expect(page.get_by_test_id(f"feedback-{attack.pk}")).to_contain_text("✓ Right")
    expect(page.get_by_role("link", name="Try again (1 attempt left)")).to_be_visible()
    screenshot(page, "quiz-feedback")
    stored = Attempt.objects.get(user=person)
    assert (stored.score, stored.max_score, stored.is_late) == (2, 3, False)

    # The same feedback reads on a phone, without sideways scrolling.
    phone = new_page(timezone_id="Europe/Berlin", viewport=PHONE)
    log_in(phone, live_server.url, email=person.email, password=ORGANIZER_PASSWORD)
    phone.goto(f"{live_server.url}/terms/{term.slug}/quizzes/{quiz.pk}/attempts/1/")
    expect(phone.get_by_test_id(f"feedback-{loss.pk}")).to_contain_text("−1,5e3")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The last attempt: now the accepted answers are shown.
    page.get_by_role("link", name="Try again (1 attempt left)").click()
    page.get_by_label("An adversarial perturbation changed the logit").fill("-1500")
    page.get_by_label("The ε of the attack?").fill("0,03")
    page.get_by_label("PGD").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_test_id("quiz-score")).to_contain_text("3/3")
    expect(page.get_by_test_id(f"feedback-{loss.pk}").get_by_test_id("accepted")).to_have_text(
        "-1500 ± 1 %"
    )
    expect(page.get_by_test_id(f"feedback-{bound.pk}").get_by_test_id("accepted")).to_have_text(
        "0,03 ± 0,001"
    )


def test_organizer_fixes_a_refused_negative_answer_and_regrades(
    live_server, new_page, ml_safety_term, organizer
):
    from django.core import mail

    from cohortkit.quizzes.services import attempt_submit

    term = ml_safety_term
    quiz = quiz_in(term, week_number=3, title="Robustness quiz")
    question = numeric_question(
        quiz, ("1500", "0", "absolute"), prompt="By how much did the logit change?"
    )
    person = UserFactory(email="ana@example.org", name="Ana Participant")
    MembershipFactory(term=term, user=person, role=Role.PARTICIPANT)
    attempt = attempt_submit(
        quiz=quiz, user=person, answers={question.pk: "-1.5e3"}, submit_token="t"
    )
    assert attempt.score == 0
    page = new_page(timezone_id="America/Los_Angeles")
    log_in(page, live_server.url, email=organizer.email, password=ORGANIZER_PASSWORD)

    page.goto(f"{live_server.url}/terms/{term.slug}/organize/quizzes/{quiz.pk}/")
    expect(page.get_by_test_id("attempt-count")).to_contain_text("1 attempt stored.")
    editor = page.locator(f"#question-{question.pk}")
    accepted = editor.locator(f"#id_q{question.pk}-keys-0-value")
    expect(accepted).to_have_value("1500")
    assert accepted.get_attribute("inputmode") == "decimal"
    accepted.fill("−1500")
    editor.get_by_role("button", name="Save question 1").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()
    page.get_by_role("button", name="Regrade now").click()

    expect(page.get_by_text("Regraded 1 attempt: 1 changed.")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]
