"""Conditional questions: "At which university?" only when "In person" is chosen.

The rule that hides the question on the page decides on the server too: a hidden question is not
required and keeps no answer (on autosave, submit and through the API); a shown required one is
required.
"""

import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.conditions import shown_question_keys
from cohortkit.admissions.models import Answer, Application, FormQuestion
from cohortkit.admissions.services.applying import application_save_draft, application_submit
from cohortkit.admissions.services.loading_forms import FormSpecError, application_forms_load
from cohortkit.common.errors import InvalidInputError
from cohortkit.programs.copying import term_copy
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    TermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2030, 9, 22, 6, 59, tzinfo=dt.UTC)
BEFORE = DEADLINE - dt.timedelta(days=1)
MODES = [
    {"value": "virtual", "label": "Online"},
    {"value": "in_person", "label": "In person"},
    {"value": "either", "label": "Either"},
]


@pytest.fixture
def form(db):
    term = TermFactory(
        slug="spring-2030",
        starts_on=dt.date(2030, 9, 26),
        ends_on=dt.date(2030, 11, 18),
        participant_deadline=DEADLINE,
        facilitator_deadline=DEADLINE - dt.timedelta(days=3),
    )
    form = ApplicationFormFactory(term=term)
    FormQuestionFactory(form=form, key="motivation", type="short_text")
    FormQuestionFactory(form=form, key="mode", type="choice", choices=MODES, label="Meet how?")
    FormQuestionFactory(
        form=form,
        key="university",
        type="short_text",
        label="At which university?",
        required=True,
        shown_when_key="mode",
        shown_when_answers=["in_person", "either"],
    )
    return form


@pytest.fixture
def applicant(db):
    return UserFactory(email="ada@example.org", time_zone="Europe/Berlin")


def stored(applicant) -> dict[str, str]:
    return dict(
        Answer.objects.filter(application__applicant=applicant).values_list("question__key", "raw")
    )


def test_a_hidden_question_is_not_required_and_its_answer_is_not_kept(form, applicant):
    application = application_submit(
        form=form,
        user=applicant,
        raw_answers={"motivation": "Curious", "mode": "virtual", "university": "MIT"},
        now=BEFORE,
    )

    assert application.status == "submitted"
    assert stored(applicant) == {"motivation": "Curious", "mode": "virtual"}


def test_a_shown_required_question_is_required(form, applicant):
    with pytest.raises(InvalidInputError) as refused:
        application_submit(
            form=form,
            user=applicant,
            raw_answers={"motivation": "Curious", "mode": "in_person"},
            now=BEFORE,
        )

    assert refused.value.field_errors == {"university": "This question needs an answer."}
    assert not Application.objects.filter(status="submitted").exists()


def test_choosing_online_later_drops_the_stored_university(form, applicant):
    application_save_draft(
        form=form, user=applicant, raw_answers={"mode": "either", "university": "MIT"}, now=BEFORE
    )
    assert stored(applicant) == {"mode": "either", "university": "MIT"}

    # The page still sends the hidden field's text: the server ignores it.
    application = application_save_draft(
        form=form, user=applicant, raw_answers={"mode": "virtual", "university": "MIT"}, now=BEFORE
    )

    assert stored(applicant) == {"mode": "virtual"}
    assert application.revision == 2


def test_a_submitted_application_cannot_start_asking_an_unanswered_required_question(
    form, applicant
):
    application_submit(
        form=form,
        user=applicant,
        raw_answers={"motivation": "Curious", "mode": "virtual"},
        now=BEFORE,
    )

    with pytest.raises(InvalidInputError) as refused:
        application_save_draft(
            form=form, user=applicant, raw_answers={"mode": "in_person"}, now=BEFORE
        )

    assert refused.value.field_errors == {"university": "This question needs an answer."}
    assert stored(applicant)["mode"] == "virtual"
    application = application_save_draft(
        form=form,
        user=applicant,
        raw_answers={"mode": "in_person", "university": "MIT"},
        now=BEFORE,
    )
    assert application.status == "submitted"
    assert stored(applicant)["university"] == "MIT"


def test_a_question_that_depends_on_a_hidden_one_is_hidden_too(form):
    FormQuestionFactory(
        form=form,
        key="campus_visit",
        type="yes_no",
        shown_when_key="mode",
        shown_when_answers=["in_person"],
    )
    FormQuestionFactory(
        form=form, key="visit_day", shown_when_key="campus_visit", shown_when_answers=["yes"]
    )
    questions = list(form.questions.all())

    online = shown_question_keys(questions, {"mode": "virtual", "campus_visit": "yes"})
    in_person = shown_question_keys(questions, {"mode": "in_person", "campus_visit": "Yes"})

    assert online == {"motivation", "mode"}
    assert in_person == {"motivation", "mode", "university", "campus_visit", "visit_day"}


def test_the_page_without_script_shows_the_question_says_when_it_applies_and_the_server_decides(
    client, form, applicant
):
    client.force_login(applicant)
    base = [form.term.slug, "participant"]

    page = client.get(reverse("admissions:apply", args=base)).content.decode()
    submitted = client.post(
        reverse("admissions:apply_submit", args=base),
        {"answer-motivation": "Curious", "answer-mode": "virtual", "answer-university": "MIT"},
        follow=True,
    )

    # Every question is in the page (a script hides it); the sentence explains it without one.
    assert 'data-shown-when="mode"' in page
    assert "Only if you answered “In person” or “Either” to “Meet how?”." in page
    assert "hidden" not in page.split('id="question-university"')[1].split(">")[0]
    assert "Your application is submitted" in submitted.content.decode()
    assert stored(applicant) == {"motivation": "Curious", "mode": "virtual"}


def test_the_page_refuses_a_submission_without_the_university_it_asks_for(client, form, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("admissions:apply_submit", args=[form.term.slug, "participant"]),
        {"answer-motivation": "Curious", "answer-mode": "in_person"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    error = html.split('data-testid="error-university">')[1].split("<")[0]
    assert error == "This question needs an answer."


def test_the_api_describes_the_rule_and_applies_it(client, form, applicant):
    token = api_token_create(user=applicant)
    path = f"/api/v1/terms/{form.term.slug}/forms/participant"

    def call(method, suffix, **kwargs):
        return getattr(client, method)(
            path + suffix,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )

    described = call("get", "").json()
    refused = call(
        "post",
        "/application/submit",
        data={"answers": {"motivation": "Curious", "mode": "either"}},
    )
    submitted = call(
        "post",
        "/application/submit",
        data={"answers": {"motivation": "Curious", "mode": "virtual", "university": "MIT"}},
    )

    university = next(q for q in described["questions"] if q["key"] == "university")
    assert university["shown_when"] == {"question": "mode", "answer": ["in_person", "either"]}
    assert next(q for q in described["questions"] if q["key"] == "mode")["shown_when"] is None
    assert refused.status_code == 400
    assert refused.json()["field_errors"] == {"university": "This question needs an answer."}
    assert submitted.status_code == 200
    assert [answer["key"] for answer in submitted.json()["answers"]] == ["motivation", "mode"]


FORM_WITH_RULE = """
participant:
  title: Apply
  questions:
    - {key: mode, label: "How?", type: choice, choices: [{value: online, label: Online},
                                                        {value: in_person, label: In person}]}
    - {key: stipend, label: "Stipend?", type: yes_no}
    - key: university
      label: Where?
      type: short_text
      shown_when: {question: mode, answer: in_person}
    - key: bank
      label: Bank?
      type: short_text
      shown_when: {question: stipend, answer: [yes]}
"""


def test_the_form_file_carries_the_rule_and_a_copied_term_keeps_it(form):
    application_forms_load(
        term=form.term, text=FORM_WITH_RULE.replace("participant", "facilitator")
    )
    loaded = {q.key: q for q in FormQuestion.objects.filter(form__kind="facilitator")}

    copy = term_copy(
        source=form.term,
        slug="autumn-2030",
        name="Autumn 2030",
        starts_on=dt.date(2031, 1, 9),
        parts={"forms"},
        actor=UserFactory(),
    )

    assert (loaded["university"].shown_when_key, loaded["university"].shown_when_answers) == (
        "mode",
        ["in_person"],
    )
    assert loaded["bank"].shown_when_answers == ["yes"]
    assert loaded["mode"].shown_when_key == ""
    copied = FormQuestion.objects.get(form__term=copy, form__kind="participant", key="university")
    assert (copied.shown_when_key, copied.shown_when_answers) == ("mode", ["in_person", "either"])


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{question: later, answer: x}", "'later' is not a question before this one"),
        ("{question: name, answer: x}", "'name' must be a choice, multiple-choice or yes/no"),
        ("{question: mode, answer: [boat]}", "'boat' is not an answer 'mode' offers"),
        ("{question: mode}", "write it as {question: KEY, answer: [VALUE, …]}"),
    ],
)
def test_a_broken_rule_names_the_field_and_loads_nothing(form, rule, message):
    text = f"""
facilitator:
  title: Apply
  questions:
    - {{key: name, label: "Name?", type: short_text}}
    - {{key: mode, label: "How?", type: choice, choices: [{{value: online, label: Online}}]}}
    - {{key: where, label: "Where?", type: short_text, shown_when: {rule}}}
    - {{key: later, label: "Later?", type: yes_no}}
"""
    with pytest.raises(FormSpecError) as refused:
        application_forms_load(term=form.term, text=text)

    assert any(
        line.startswith("facilitator.questions[2].shown_when") and message in line
        for line in refused.value.messages
    ), refused.value.messages
    assert not FormQuestion.objects.filter(form__kind="facilitator").exists()


def test_the_import_follows_the_conditional_rule(form):
    """A spreadsheet row is read as the page reads a person: "At which university?" is required
    only of those who meet in person, and a hidden question's cell is not kept."""
    from cohortkit.admissions.services.importing import (
        ImportRow,
        applications_import,
        applications_import_check,
    )

    online = UserFactory(email="online@example.org")
    in_person = UserFactory(email="campus@example.org")
    missing = UserFactory(email="nouni@example.org")
    rows = [
        ImportRow(online, {"motivation": "a", "mode": "virtual", "university": "MIT"}, BEFORE),
        ImportRow(in_person, {"motivation": "b", "mode": "in_person", "university": "ETH"}, BEFORE),
        ImportRow(missing, {"motivation": "c", "mode": "either"}, BEFORE),
    ]
    problems = applications_import_check(form=form, rows=rows)
    assert [str(problem) for problem in problems] == ["row 3, university: needs an answer"]

    assert applications_import(form=form, rows=rows[:2]) == 2
    assert stored(online) == {"motivation": "a", "mode": "virtual"}
    assert stored(in_person) == {"motivation": "b", "mode": "in_person", "university": "ETH"}
