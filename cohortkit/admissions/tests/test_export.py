"""The ranked table and its CSV export: order, filters, formula injection, plain numbers."""

import csv
import io

import pytest
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.admissions.services.reviewing import review_assignment_create, review_submit
from cohortkit.admissions.tests.factories import RubricCategoryFactory, SubmittedApplicationFactory
from cohortkit.common.spreadsheets import spreadsheet_safe
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("-5", "-5"),
        ("-1.5e3", "-1.5e3"),
        ("+4", "+4"),
        ("-0.25", "-0.25"),
        ("−3", "−3"),  # the Unicode minus is not a formula character
        ("plain text", "plain text"),
        ("", ""),
        (None, ""),
        (72.5, "72.5"),
    ],
)
def test_spreadsheet_safe(value, cell):
    assert spreadsheet_safe(value) == cell


@pytest.fixture
def form(term):
    form = ApplicationFormFactory(term=term)
    FormQuestionFactory(
        form=form,
        key="track",
        type="choice",
        choices=[{"value": "intro", "label": "Intro"}, {"value": "advanced", "label": "Adv"}],
    )
    FormQuestionFactory(form=form, key="level", type="number")
    FormQuestionFactory(form=form, key="motivation", type="long_text")
    return form


def _apply(form, email, answers, name=""):
    application = SubmittedApplicationFactory(
        form=form, applicant=UserFactory(email=email, name=name or email)
    )
    for key, raw in answers.items():
        question = form.questions.get(key=key)
        value = raw if question.type == "choice" else None
        application.answers.create(question=question, raw=raw, value=value)
    return application


def _review(application, reviewer, score, category):
    review_assignment_create(application=application, reviewer=reviewer, actor=None)
    review_submit(application=application, reviewer=reviewer, scores={category.pk: score})


@pytest.fixture
def scored(term, form):
    reviewer = UserFactory(email="r@example.org")
    MembershipFactory(term=term, user=reviewer, role=Role.REVIEWER)
    category = RubricCategoryFactory(form=form, max_score=4)
    low = _apply(form, "low@example.org", {"track": "intro", "level": "-5", "motivation": "ok"})
    high = _apply(
        form,
        "high@example.org",
        {"track": "advanced", "level": "1", "motivation": "=1+2"},
        name="@evil",
    )
    unreviewed = _apply(form, "none@example.org", {"track": "intro", "level": "0"})
    _review(low, reviewer, 1, category)
    _review(high, reviewer, 3, category)
    return low, high, unreviewed


def _csv(response):
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_is_ranked_and_safe_and_keeps_numbers(term, form, scored, client_as):
    response = client_as("organizer").get(
        reverse("admissions:ranking_export", args=[term.slug, form.kind])
    )

    rows = _csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert [row["email"] for row in rows] == [
        "high@example.org",
        "low@example.org",
        "none@example.org",
    ]
    assert [row["score"] for row in rows] == ["75.0", "25.0", ""]
    assert rows[0]["name"] == "'@evil"
    assert rows[0]["motivation"] == "'=1+2"
    assert rows[1]["level"] == "-5"


def test_export_and_table_follow_the_answer_filters(term, form, scored, client_as):
    client = client_as("organizer")

    exported = _csv(
        client.get(
            reverse("admissions:ranking_export", args=[term.slug, form.kind]), {"track": "intro"}
        )
    )
    table = client.get(
        reverse("admissions:ranking", args=[term.slug, form.kind]), {"track": "intro"}
    )

    assert [row["email"] for row in exported] == ["low@example.org", "none@example.org"]
    page = table.content.decode()
    assert "low@example.org" in page and "high@example.org" not in page


def test_ranked_table_query_count_does_not_grow(
    term, form, people, client_as, django_assert_max_num_queries
):
    reviewer = UserFactory(email="r@example.org")
    MembershipFactory(term=term, user=reviewer, role=Role.REVIEWER)
    category = RubricCategoryFactory(form=form)
    client = client_as("organizer")
    url = reverse("admissions:ranking", args=[term.slug, form.kind])

    def add(count):
        for number in range(count):
            application = _apply(
                form, f"p{count}-{number}@example.org", {"track": "intro", "level": "1"}
            )
            _review(application, reviewer, 3, category)

    add(1)
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    add(25)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="ranking-row') == 26
