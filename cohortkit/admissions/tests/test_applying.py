"""Applying: drafts, submitting, editing, withdrawing, and the deadline at every entry point."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.admissions.errors import DeadlinePassedError, StaleRevisionError
from cohortkit.admissions.models import Answer, Application
from cohortkit.admissions.selectors.applying import deadline_for
from cohortkit.admissions.services.applying import (
    application_save_draft,
    application_submit,
    application_withdraw,
)
from cohortkit.admissions.services.extending import (
    access_code_create,
    access_code_redeem,
    extension_grant,
)
from cohortkit.common.errors import ServiceError
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    TermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2030, 9, 22, 6, 59, tzinfo=dt.UTC)


@pytest.fixture
def open_term(db):
    return TermFactory(
        slug="spring-2030",
        starts_on=dt.date(2030, 9, 26),
        ends_on=dt.date(2030, 11, 18),
        participant_deadline=DEADLINE,
        facilitator_deadline=DEADLINE - dt.timedelta(days=3),
    )


@pytest.fixture
def form(open_term):
    form = ApplicationFormFactory(term=open_term)
    FormQuestionFactory(form=form, key="motivation", type="long_text", word_limit=5)
    FormQuestionFactory(form=form, key="hours", type="number", required=True)
    FormQuestionFactory(
        form=form,
        key="track",
        type="choice",
        choices=[
            {"value": "intro", "label": "Introductory"},
            {"value": "advanced", "label": "Advanced"},
        ],
    )
    FormQuestionFactory(form=form, key="availability", type="availability", required=False)
    return form


@pytest.fixture
def applicant(db):
    return UserFactory(email="ada@example.org", time_zone="Europe/Berlin")


BEFORE = DEADLINE - dt.timedelta(seconds=1)


def test_draft_keeps_raw_text_and_parsed_number_and_errors(form, applicant):
    application = application_save_draft(
        form=form,
        user=applicant,
        raw_answers={"hours": " −1.5e3 ", "motivation": "too many words in this answer"},
        now=BEFORE,
    )

    hours = Answer.objects.get(application=application, question__key="hours")
    motivation = Answer.objects.get(application=application, question__key="motivation")
    assert (hours.raw, hours.number) == (" −1.5e3 ", Decimal("-1500"))
    assert motivation.error == "Use at most 5 words; this has 6."
    assert application.status == "draft"


def test_decimal_comma_term_reads_comma_numbers(form, applicant):
    form.term.number_format = "comma"
    form.term.save()

    application = application_save_draft(
        form=form, user=applicant, raw_answers={"hours": "3,5"}, now=BEFORE
    )

    assert application.answers.get(question__key="hours").number == Decimal("3.5")


def test_submit_refuses_missing_or_unreadable_answers_and_keeps_the_draft(form, applicant):
    application_save_draft(form=form, user=applicant, raw_answers={"hours": "abc"}, now=BEFORE)

    with pytest.raises(ServiceError) as refused:
        application_submit(form=form, user=applicant, now=BEFORE)

    assert refused.value.field_errors == {
        "motivation": "This question needs an answer.",
        "hours": "Enter a number, for example -1,234.5 or -1.5e3.",
        "track": "This question needs an answer.",
    }
    application = Application.objects.get()
    assert application.status == "draft"
    assert application.answers.get(question__key="hours").raw == "abc"


def _complete(form, user, **overrides):
    answers = {"motivation": "I want to learn", "hours": "-3", "track": "intro"} | overrides
    return application_submit(form=form, user=user, raw_answers=answers, now=BEFORE)


def test_submit_twice_is_one_application_and_one_email(
    form, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _complete(form, applicant)
        second = _complete(form, applicant)

    assert first.pk == second.pk
    assert Application.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "Your application to" in mail.outbox[0].subject
    assert "I want to learn" in mail.outbox[0].body
    # The email shows the deadline in the applicant's own zone (Berlin, CEST).
    assert "Sun, 22 Sep 2030, 08:59 UTC+02:00" in mail.outbox[0].body


def test_the_confirmation_email_shows_the_answers_as_the_person_chose_them(
    form, applicant, django_capture_on_commit_callbacks
):
    FormQuestionFactory(
        form=form,
        key="mode",
        label="How would you take part?",
        type="multi_choice",
        required=False,
        choices=[
            {"value": "virtual", "label": "Online, from anywhere"},
            {"value": "in_person", "label": "In person at a university"},
        ],
    )
    FormQuestionFactory(form=form, key="student", label="Student?", type="yes_no", required=False)

    with django_capture_on_commit_callbacks(execute=True):
        _complete(form, applicant, mode="virtual\nin_person", student="y")

    body = mail.outbox[0].body
    assert "Introductory" in body
    assert "Online, from anywhere, In person at a university" in body
    assert "  Yes" in body
    assert "virtual" not in body and "in_person" not in body


def test_editing_a_submitted_application_keeps_it_submitted_and_refuses_invalid_edits(
    form, applicant
):
    _complete(form, applicant)

    with pytest.raises(ServiceError):
        application_save_draft(form=form, user=applicant, raw_answers={"hours": "many"}, now=BEFORE)
    edited = _complete(form, applicant, hours="4")

    assert edited.status == "submitted"
    assert edited.answers.get(question__key="hours").number == Decimal("4")


def test_one_second_after_the_deadline_nothing_changes(form, applicant):
    _complete(form, applicant)
    before = list(Answer.objects.values("raw", "number"))

    with pytest.raises(DeadlinePassedError, match="The deadline passed on Sun, 22 Sep 2030"):
        application_submit(
            form=form,
            user=applicant,
            raw_answers={"hours": "99"},
            now=DEADLINE + dt.timedelta(seconds=1),
        )
    with pytest.raises(DeadlinePassedError):
        application_save_draft(form=form, user=applicant, raw_answers={"hours": "99"}, now=DEADLINE)

    assert list(Answer.objects.values("raw", "number")) == before


def test_personal_extension_wins_over_code_and_code_over_term(form, applicant, people):
    organizer = people["organizer"]
    code, token = access_code_create(
        form=form,
        until=DEADLINE + dt.timedelta(days=2),
        expires_at=DEADLINE + dt.timedelta(days=1),
        max_uses=5,
        created_by=organizer,
    )
    assert deadline_for(form=form, user=applicant).source == "term"

    access_code_redeem(token=token, user=applicant, now=DEADLINE)
    assert deadline_for(form=form, user=applicant).instant == code.until

    extension_grant(
        form=form, user=applicant, until=DEADLINE + dt.timedelta(hours=1), granted_by=organizer
    )
    deadline = deadline_for(form=form, user=applicant)
    assert (deadline.instant, deadline.source) == (
        DEADLINE + dt.timedelta(hours=1),
        "personal extension",
    )
    submitted = application_submit(
        form=form,
        user=applicant,
        raw_answers={"motivation": "late but keen", "hours": "2", "track": "advanced"},
        now=DEADLINE + dt.timedelta(minutes=30),
    )
    assert submitted.status == "submitted"


def test_access_code_limits(form, people):
    _, token = access_code_create(
        form=form,
        until=DEADLINE + dt.timedelta(days=2),
        expires_at=DEADLINE + dt.timedelta(days=1),
        max_uses=1,
        created_by=people["organizer"],
    )
    access_code_redeem(token=token, user=people["applicant"], now=DEADLINE)
    access_code_redeem(token=token, user=people["applicant"], now=DEADLINE)  # harmless

    with pytest.raises(ServiceError, match="used as many times"):
        access_code_redeem(token=token, user=people["participant"], now=DEADLINE)
    with pytest.raises(ServiceError, match="expired"):
        access_code_redeem(
            token=token, user=people["reviewer"], now=DEADLINE + dt.timedelta(days=3)
        )
    with pytest.raises(ServiceError, match="not valid"):
        access_code_redeem(token="nope", user=people["reviewer"], now=DEADLINE)


def test_stale_tab_cannot_overwrite_newer_answers(form, applicant):
    first = application_save_draft(
        form=form, user=applicant, raw_answers={"motivation": "one"}, now=BEFORE
    )
    application_save_draft(
        form=form,
        user=applicant,
        raw_answers={"motivation": "two"},
        revision=first.revision,
        now=BEFORE,
    )

    with pytest.raises(StaleRevisionError):
        application_save_draft(
            form=form,
            user=applicant,
            raw_answers={"motivation": "old"},
            revision=first.revision,
            now=BEFORE,
        )
    assert Answer.objects.get(question__key="motivation").raw == "two"


def test_text_identical_to_the_stored_version_is_not_stale(form, applicant):
    # The page's own autosave landed just before its submit, which carries the older revision.
    first = application_save_draft(
        form=form,
        user=applicant,
        raw_answers={"motivation": "one", "hours": "2", "track": "intro"},
        now=BEFORE,
    )
    application_save_draft(
        form=form,
        user=applicant,
        raw_answers={"motivation": "two", "hours": "2", "track": "intro"},
        revision=first.revision,
        now=BEFORE,
    )

    submitted = application_submit(
        form=form,
        user=applicant,
        raw_answers={"motivation": "two", "hours": "2", "track": "intro"},
        revision=first.revision,
        now=BEFORE,
    )

    assert submitted.status == "submitted"
    assert Answer.objects.get(question__key="motivation").raw == "two"


def test_withdraw_then_submit_again(form, applicant):
    _complete(form, applicant)

    withdrawn = application_withdraw(form=form, user=applicant)
    assert withdrawn.status == "withdrawn"
    assert _complete(form, applicant).status == "submitted"


def test_unknown_question_keys_are_refused(form, applicant):
    with pytest.raises(ServiceError, match="Unknown question: shoe-size"):
        application_save_draft(
            form=form, user=applicant, raw_answers={"shoe-size": "44"}, now=BEFORE
        )
    assert not Application.objects.exists()


# Pages ---------------------------------------------------------------------------------------


def test_page_autosave_then_submit(client, form, applicant, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    base = [form.term.slug, "participant"]

    saved = client.post(
        reverse("admissions:apply_save", args=base),
        {"answer-motivation": "Because", "answer-hours": "-3", "revision": "0"},
    )
    assert saved.status_code == 200
    assert "Saved" in saved.content.decode()
    page = client.get(reverse("admissions:apply", args=base)).content.decode()
    assert "Because" in page and "Draft" in page

    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(
            reverse("admissions:apply_submit", args=base),
            {"answer-motivation": "Because", "answer-hours": "-3", "answer-track": "intro"},
            follow=True,
        )
    assert "Your application is submitted" in submitted.content.decode()
    assert len(mail.outbox) == 1


def test_page_submit_with_errors_shows_them_next_to_the_questions(client, form, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("admissions:apply_submit", args=[form.term.slug, "participant"]),
        {"answer-hours": "1,5"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-hours"' in html
    assert "Use a point for decimals, for example 1.5." in html
    assert Application.objects.get().status == "draft"


def test_anonymous_visitor_is_sent_to_sign_up_while_open(client, form):
    response = client.get(reverse("admissions:apply", args=[form.term.slug, "participant"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signup"))


def test_organizer_extends_a_deadline_and_makes_a_late_link_from_the_page(
    client_as, people, term, client
):
    form = ApplicationFormFactory(term=term)  # term's deadline has passed (2022)
    FormQuestionFactory(form=form, key="why", type="short_text")
    organizer = client_as("organizer")
    url = reverse("admissions:deadlines", args=[term.slug, "participant"])

    organizer.post(
        url,
        {
            "extension-email": "applicant@example.org",
            "extension-until_date": "2099-01-01",
            "extension-until_time": "12:00",
            "extension-time_zone": "UTC",
        },
    )
    created = organizer.post(
        url,
        {
            "code-until_date": "2099-01-02",
            "code-until_time": "12:00",
            "code-expires_date": "2099-01-01",
            "code-expires_time": "12:00",
            "code-time_zone": "UTC",
            "code-max_uses": "3",
        },
    )
    refused = organizer.post(url, {"code-max_uses": "0", "code-time_zone": "UTC"})

    applicant = client_as("applicant")
    page = applicant.get(reverse("admissions:apply", args=[term.slug, "participant"]))
    assert page.status_code == 200
    assert "your personal extension" in page.content.decode()
    link = created.context["new_link"]
    late = client_as("participant")
    late.get(link.split("testserver", 1)[1])
    page = late.get(reverse("admissions:apply", args=[term.slug, "participant"]))
    assert "your access code" in page.content.decode()
    assert refused.status_code == 400
    assert form.access_codes.count() == 1


def test_autosave_reports_unreadable_answers_next_to_their_question(client, form, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("admissions:apply_save", args=[form.term.slug, "participant"]),
        {"answer-hours": "1,5", "answer-motivation": "fine"},
    )

    html = response.content.decode()
    assert "1 answer to fix before submitting." in html
    assert 'id="error-hours" data-testid="error-hours" hx-swap-oob="true">Use a point' in html
    assert 'id="error-motivation" data-testid="error-motivation" hx-swap-oob="true"></p>' in html


def test_autosaving_a_submitted_application_marks_the_bad_answer_and_keeps_the_rest(
    client, form, applicant
):
    _complete(form, applicant)
    client.force_login(applicant)
    url_args = [form.term.slug, "participant"]

    response = client.post(
        reverse("admissions:apply_save", args=url_args),
        {"answer-hours": "many", "answer-motivation": "still fine"},
    )
    submit = client.post(
        reverse("admissions:apply_submit", args=url_args),
        {"answer-hours": "many", "answer-motivation": "still fine"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Not saved: 1 answer to fix (marked). Your submitted application is unchanged." in html
    assert 'data-testid="error-hours" hx-swap-oob="true">Enter a number' in html
    assert 'data-testid="error-motivation" hx-swap-oob="true"></p>' in html
    page = submit.content.decode()
    assert submit.status_code == 400
    assert ">many</" in page or 'value="many"' in page  # the refused text stays on the page
    assert "still fine" in page
    assert 'data-unsaved="true"' in page
    application = Application.objects.get()
    assert application.answers.get(question__key="hours").raw == "-3"
    assert application.answers.get(question__key="motivation").raw == "I want to learn"


def test_autosave_after_sign_out_says_so_and_saves_nothing(client, form):
    response = client.post(
        reverse("admissions:apply_save", args=[form.term.slug, "participant"]),
        {"answer-hours": "3"},
    )

    assert response.status_code == 401
    assert "You were signed out" in response.content.decode()
    assert not Application.objects.exists()
