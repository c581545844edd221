"""Public questions: asking (signed out too), limits, moderation, merging, the FAQ and search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohortkit.common.errors import ConflictError, InvalidInputError
from cohortkit.community import services
from cohortkit.community.models import (
    MAX_QUESTION_CHARACTERS,
    CommunitySettings,
    Conversation,
    PublicQuestion,
    QuestionStatus,
)
from cohortkit.community.tests.conftest import emails_to
from cohortkit.tests.factories import TermFactory

pytestmark = pytest.mark.django_db


def _ask(term, person, body="Can someone who is not a student participate?"):
    return services.question_ask(term=term, asker=person, body=body)


def _program_page(client, term) -> str:
    return client.get(reverse("programs:term_detail", args=[term.slug])).content.decode()


def test_a_question_waits_for_an_organizer_and_is_not_on_the_page(term, people, client_as):
    client = client_as("applicant")

    response = client.post(
        reverse("community:question_ask", args=[term.slug]),
        {"body": "Can someone who is not a student participate?"},
        follow=True,
    )

    question = PublicQuestion.objects.get()
    assert question.status == QuestionStatus.HELD
    html = response.content.decode()
    assert "your question waits for an organizer" in html
    # Only its asker sees it, as waiting; the public does not.
    assert 'data-testid="my-waiting-questions"' in html
    assert "not a student" not in _program_page(client_as("anonymous"), term)


def test_a_term_can_let_questions_appear_at_once(term, people, client_as):
    CommunitySettings.objects.create(term=term, questions_appear_at_once=True)

    question = _ask(term, people["applicant"])

    assert question.status == QuestionStatus.PUBLISHED
    html = _program_page(client_as("anonymous"), term)
    assert "not a student participate?" in html
    assert "Not answered yet." in html


def test_a_signed_out_visitor_is_sent_to_sign_up_and_finds_the_text_kept(term, client):
    text = "Is the course **free** for people outside the US?"

    response = client.post(reverse("community:question_ask", args=[term.slug]), {"body": text})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signup") + "?next=")
    assert not PublicQuestion.objects.exists()
    signup = client.post(
        response["Location"],
        {
            "email": "visitor@example.org",
            "name": "Visitor",
            "password": "a long enough password 123",
            "time_zone": "Europe/Berlin",
        },
    )
    assert signup["Location"] == f"/terms/{term.slug}/#ask-question"
    html = _program_page(client, term)
    assert 'data-testid="draft-kept"' in html
    assert "Is the course **free** for people outside the US?</textarea>" in html

    client.post(reverse("community:question_ask", args=[term.slug]), {"body": text})

    question = PublicQuestion.objects.get()
    assert question.asker.email == "visitor@example.org"
    assert question.body == text
    assert 'data-testid="draft-kept"' not in _program_page(client, term)


def test_the_limit_of_unanswered_questions_refuses_one_more_and_changes_nothing(
    term, people, client_as
):
    CommunitySettings.objects.create(term=term, max_open_questions_per_person=2)
    _ask(term, people["applicant"], "First question about the course?")
    _ask(term, people["applicant"], "Second question about the course?")

    response = client_as("applicant").post(
        reverse("community:question_ask", args=[term.slug]),
        {"body": "Third question about the course?"},
    )

    assert response.status_code == 400
    assert "You already have 2 questions waiting for an answer" in response.content.decode()
    assert PublicQuestion.objects.count() == 2


def test_an_answered_or_hidden_question_frees_a_place_under_the_limit(term, people):
    CommunitySettings.objects.create(term=term, max_open_questions_per_person=1)
    first = _ask(term, people["applicant"], "First question about the course?")
    services.question_answer(question=first, actor=people["organizer"], answer="Yes.")

    second = _ask(term, people["applicant"], "Second question about the course?")
    services.question_hide(question=second, actor=people["organizer"])

    assert _ask(term, people["applicant"], "Third question about the course?").pk


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "at least 10 characters"),
        ("   short ", "at least 10 characters"),
        ("x" * (MAX_QUESTION_CHARACTERS + 1), "at most 2,000 characters; this one has 2,001"),
    ],
)
def test_bad_questions_are_refused_with_a_message(term, people, client_as, body, message):
    response = client_as("applicant").post(
        reverse("community:question_ask", args=[term.slug]), {"body": body}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PublicQuestion.objects.exists()


def test_asking_the_same_question_twice_is_one_question(term, people):
    first = _ask(term, people["applicant"])
    again = _ask(term, people["applicant"])

    assert first.pk == again.pk
    assert PublicQuestion.objects.count() == 1


def test_answering_emails_the_asker_once_and_shows_it_on_the_program_page(
    term, people, client_as, committed, outbox
):
    question = _ask(term, people["applicant"])
    organizer = client_as("organizer")
    url = reverse("community:question_action", args=[term.slug, question.pk])

    with committed():
        organizer.post(url, {"action": "answer", "answer": "Yes! Anyone can apply."})
    with committed():
        organizer.post(url, {"action": "answer", "answer": "Yes! Anyone may apply."})

    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert question.answer == "Yes! Anyone may apply."
    sent = emails_to(outbox, "applicant@example.org")
    assert len(sent) == 1
    assert "Yes! Anyone can apply." in sent[0].body
    html = _program_page(client_as("anonymous"), term)
    assert "Anyone may apply." in html


def test_pinned_answers_form_the_faq_first_and_only_answered_ones_can_be_pinned(
    term, people, client_as
):
    older = _ask(term, people["applicant"], "Is there a stipend for the course?")
    newer = _ask(term, people["participant"], "Can someone who is not a student participate?")
    waiting = _ask(term, people["reviewer"], "Do I need to know PyTorch already?")
    for question in (older, newer):
        services.question_answer(question=question, actor=people["organizer"], answer="Yes.")

    services.question_pin(question=older, actor=people["organizer"], pinned=True)
    with pytest.raises(ConflictError):
        services.question_pin(question=waiting, actor=people["organizer"], pinned=True)

    html = _program_page(client_as("anonymous"), term)
    faq = html[html.index('data-testid="faq"') : html.index('data-testid="recent-questions"')]
    assert "stipend" in faq
    assert "not a student" not in faq
    assert html.index("stipend for the course") < html.index("not a student participate")
    assert "PyTorch" not in html


def test_the_faq_is_the_programs_so_the_next_term_shows_it(term, people, client_as):
    question = _ask(term, people["applicant"])
    services.question_answer(question=question, actor=people["organizer"], answer="Yes!")
    services.question_pin(question=question, actor=people["organizer"], pinned=True)
    next_term = TermFactory(program=term.program, slug="spring-2023-copy", name="Spring 2023")

    html = _program_page(client_as("anonymous"), next_term)

    assert 'data-testid="faq"' in html
    assert "not a student participate?" in html


def test_hiding_spam_takes_it_off_every_page(term, people, client_as):
    CommunitySettings.objects.create(term=term, questions_appear_at_once=True)
    spam = _ask(term, people["applicant"], "Buy cheap watches at example.com now!!!")

    client_as("organizer").post(
        reverse("community:question_action", args=[term.slug, spam.pk]), {"action": "hide"}
    )

    spam.refresh_from_db()
    assert spam.status == QuestionStatus.HIDDEN
    assert "cheap watches" not in _program_page(client_as("anonymous"), term)
    assert (
        "cheap watches"
        not in client_as("anonymous")
        .get(reverse("community:questions", args=[term.slug]))
        .content.decode()
    )


def test_an_organizer_edits_a_questions_text(term, people, client_as):
    question = _ask(term, people["applicant"], "Can my friend Jo Bloggs join too?")

    client_as("organizer").post(
        reverse("community:question_action", args=[term.slug, question.pk]),
        {"action": "edit", "body": "Can a friend join too?"},
    )

    question.refresh_from_db()
    assert question.body == "Can a friend join too?"
    assert "Jo Bloggs" not in question.body_html


def test_merging_a_duplicate_sends_its_asker_the_existing_answer(
    term, people, client_as, committed, outbox
):
    original = _ask(term, people["participant"], "Is there a stipend for the course?")
    services.question_answer(
        question=original, actor=people["organizer"], answer="Yes, $1000 on completion."
    )
    duplicate = _ask(term, people["applicant"], "Do participants get paid?")

    with committed():
        client_as("organizer").post(
            reverse("community:question_action", args=[term.slug, duplicate.pk]),
            {"action": "merge", "into": str(original.pk)},
        )

    duplicate.refresh_from_db()
    assert duplicate.status == QuestionStatus.MERGED
    assert duplicate.merged_into == original
    sent = emails_to(outbox, "applicant@example.org")
    assert len(sent) == 1 and "$1000 on completion" in sent[0].body
    assert "Do participants get paid?" not in _program_page(client_as("anonymous"), term)


def test_merged_askers_are_emailed_when_the_target_is_answered_later(
    term, people, committed, outbox
):
    original = _ask(term, people["participant"], "Is there a stipend for the course?")
    duplicate = _ask(term, people["applicant"], "Do participants get paid?")
    services.question_merge(duplicate=duplicate, into=original, actor=people["organizer"])
    assert not outbox

    with committed():
        services.question_answer(question=original, actor=people["organizer"], answer="Yes.")

    assert len(emails_to(outbox, "applicant@example.org")) == 1
    assert len(emails_to(outbox, "participant@example.org")) == 1


def test_merging_keeps_no_chain_and_refuses_what_cannot_be_merged(term, people, client_as):
    a = _ask(term, people["participant"], "Is there a stipend for the course?")
    b = _ask(term, people["applicant"], "Do participants get paid?")
    c = _ask(term, people["reviewer"], "Is the course paid for participants?")
    services.question_merge(duplicate=c, into=b, actor=people["organizer"])

    services.question_merge(duplicate=b, into=a, actor=people["organizer"])

    c.refresh_from_db()
    assert c.merged_into == a
    with pytest.raises(InvalidInputError):
        services.question_merge(duplicate=a, into=a, actor=people["organizer"])
    with pytest.raises(InvalidInputError, match="merged"):
        services.question_merge(
            duplicate=_ask(term, people["facilitator"], "Is there any pay at all?"),
            into=b,
            actor=people["organizer"],
        )
    response = client_as("organizer").post(
        reverse("community:question_action", args=[term.slug, a.pk]),
        {"action": "merge", "into": "999999"},
        follow=True,
    )
    assert "There is no such question to merge into; nothing changed." in response.content.decode()
    a.refresh_from_db()
    assert a.status == QuestionStatus.HELD


def test_a_personal_question_becomes_a_private_conversation_and_the_asker_is_told(
    term, people, client_as, committed, outbox
):
    question = _ask(term, people["applicant"], "I am ill this week, can I submit late?")

    with committed():
        response = client_as("organizer").post(
            reverse("community:question_action", args=[term.slug, question.pk]),
            {"action": "private"},
        )

    conversation = Conversation.objects.get()
    assert response["Location"] == reverse(
        "community:inbox_detail", args=[term.slug, conversation.pk]
    )
    assert conversation.person == people["applicant"]
    assert conversation.messages.get().body == "I am ill this week, can I submit late?"
    question.refresh_from_db()
    assert question.status == QuestionStatus.MADE_PRIVATE
    sent = emails_to(outbox, "applicant@example.org")
    assert len(sent) == 1
    assert f"/terms/{term.slug}/conversations/{conversation.pk}/" in sent[0].body
    page = client_as("applicant").get(
        reverse("community:conversation_detail", args=[term.slug, conversation.pk])
    )
    assert "I am ill this week" in page.content.decode()


def test_markdown_in_questions_and_answers_is_sanitised(term, people, client_as):
    question = _ask(
        term,
        people["applicant"],
        'Is **this** ok? <script>alert("x")</script><img src=https://tracker.example/p.png>'
        " [link](javascript:alert(1))",
    )
    services.question_answer(
        question=question,
        actor=people["organizer"],
        answer='Yes <b onclick="steal()">really</b>, see [the page](https://example.org).',
    )

    html = _program_page(client_as("anonymous"), term)

    assert "<strong>this</strong>" in question.body_html
    # CommonMark leaves a javascript: link as plain text, so its words stay, harmless.
    for unsafe in ("<script", 'alert("x")', "<img", 'href="javascript:', "onclick"):
        assert unsafe not in question.body_html
        assert unsafe not in html.split('id="questions"')[1]
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">the page</a>' in html


def test_search_finds_questions_by_their_answer_too(term, people, client_as):
    stipend = _ask(term, people["applicant"], "Is there any money for participants?")
    students = _ask(term, people["participant"], "Can someone who is not a student participate?")
    for question, answer in ((stipend, "A stipend of $1000."), (students, "Yes, anyone.")):
        services.question_answer(question=question, actor=people["organizer"], answer=answer)

    html = (
        client_as("anonymous")
        .get(reverse("community:questions", args=[term.slug]), {"q": "stipend"})
        .content.decode()
    )

    assert "1 question match “stipend”" in html
    assert "money for participants" in html
    assert "not a student" not in html


def _answered_questions(term, asker, numbers):
    PublicQuestion.objects.bulk_create(
        PublicQuestion(
            program=term.program,
            asked_in=term,
            asker=asker,
            body=f"Question number {number}?",
            body_html=f"<p>Question number {number}?</p>",
            status=QuestionStatus.ANSWERED,
            answer="Yes.",
            answer_html="<p>Yes.</p>",
            answered_at=term.participant_deadline,
            pinned=number < 5,
        )
        for number in numbers
    )


def test_program_page_reads_as_many_queries_for_200_answered_questions_as_for_one(
    term, people, client_as, django_assert_max_num_queries
):
    client = client_as("applicant")
    url = reverse("programs:term_detail", args=[term.slug])
    _answered_questions(term, people["applicant"], range(1))
    client.get(url)  # the session is read once, as on any later visit

    with django_assert_max_num_queries(20) as for_one:
        one = client.get(url).content.decode()
    _answered_questions(term, people["applicant"], range(1, 200))
    with django_assert_max_num_queries(len(for_one.captured_queries)):
        many = client.get(url).content.decode()

    assert one.count('data-testid="public-question"') == 1
    # The FAQ (5 pinned) and the 20 newest others; the rest are one link away.
    assert many.count('data-testid="public-question"') == 25
    assert "All 200 questions" in many


@pytest.mark.parametrize(
    ("role", "status"),
    [("participant", 403), ("facilitator", 403), ("organizer_other_term", 404), ("applicant", 404)],
)
def test_only_the_terms_organizers_moderate(term, people, client_as, role, status):
    question = _ask(term, people["applicant"])

    response = client_as(role).post(
        reverse("community:question_action", args=[term.slug, question.pk]),
        {"action": "answer", "answer": "Sure, why not."},
    )

    assert response.status_code == status
    question.refresh_from_db()
    assert question.status == QuestionStatus.HELD and question.answer == ""


def test_a_question_of_another_program_is_404_to_this_terms_organizers(term, people, client_as):
    from cohortkit.tests.factories import ProgramFactory

    elsewhere = TermFactory(program=ProgramFactory(slug="other-course", name="Other course"))
    question = _ask(elsewhere, people["applicant"])

    response = client_as("organizer").post(
        reverse("community:question_action", args=[term.slug, question.pk]), {"action": "hide"}
    )

    assert response.status_code == 404
    question.refresh_from_db()
    assert question.status == QuestionStatus.HELD


def test_the_demo_loads_a_small_faq_once(term, people, client_as):
    from cohortkit.demo.questions import demo_questions_load

    created = demo_questions_load(
        term=term, asker=people["participant"], organizer=people["organizer"]
    )
    again = demo_questions_load(
        term=term, asker=people["participant"], organizer=people["organizer"]
    )

    assert (created, again) == (5, 0)
    html = _program_page(client_as("anonymous"), term)
    faq = html[html.index('data-testid="faq"') : html.index('data-testid="recent-questions"')]
    assert faq.count('data-testid="public-question"') == 3
    assert "Students and non-students are welcome." in faq
    assert "recorded" not in html  # the waiting one is not public


def test_search_is_full_text_on_postgresql_and_contains_on_sqlite(term, people, client_as):
    from django.db import connection

    question = _ask(term, people["applicant"], "Is there any money for participants?")
    services.question_answer(
        question=question, actor=people["organizer"], answer="Participants get a stipend."
    )

    def found(query: str) -> bool:
        html = (
            client_as("anonymous")
            .get(reverse("community:questions", args=[term.slug]), {"q": query})
            .content.decode()
        )
        return "money for participants" in html

    assert found("stipend")
    if connection.vendor == "postgresql":
        # Stemmed, any order, web-search syntax: "stipends" finds "stipend", "-money" excludes.
        assert found("stipends participants")
        assert not found("stipend -money")
    else:
        assert found("STIPEND participants")
        assert not found("stipends")


def test_bad_question_settings_are_refused_and_nothing_changes(term, people, client_as):
    response = client_as("organizer").post(
        reverse("community:questions_moderate", args=[term.slug]),
        {"questions_appear_at_once": "on", "max_open_questions_per_person": "0"},
    )

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not CommunitySettings.objects.exists()
