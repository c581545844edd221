"""The reviewers' list and the organizers' reviewer loads as server-side tables, and "save and
next" walking the reviewer's list in its own order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.admissions.models import Review, ReviewerConflict
from cohortkit.admissions.selectors.reviewing import blind_label
from cohortkit.admissions.services.reviewing import review_assignment_create, review_submit
from cohortkit.admissions.tests.factories import RubricCategoryFactory, SubmittedApplicationFactory
from cohortkit.common.tables import PAGE_SIZE
from cohortkit.tests.factories import ApplicationFormFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(term):
    return ApplicationFormFactory(term=term, blind_review=False)


@pytest.fixture
def rubric(form):
    return [RubricCategoryFactory(form=form, name="Motivation", max_score=5)]


@pytest.fixture
def assigned(form, people):
    """Three applications assigned to the reviewer, submitted in the order Cleo, Ada, Ben."""
    applications = {}
    for name in ("Cleo Tanaka", "Ada Lovelace", "Ben Okafor"):
        applicant = UserFactory(name=name, email=f"{name.split()[0].lower()}@example.org")
        application = SubmittedApplicationFactory(form=form, applicant=applicant)
        review_assignment_create(application=application, reviewer=people["reviewer"], actor=None)
        applications[name.split()[0]] = application
    return applications


def _list(client, term, query=""):
    url = reverse("admissions:review_assignments", args=[term.slug])
    return client.get(f"{url}?{query}").content.decode()


def _table(page):
    table = page[page.index('data-testid="review-assignments"') :]
    return table[: table.index("</table>")]


def _names(page):
    return [name for name in ("Ada", "Ben", "Cleo") if name in _table(page)]


def _order(page):
    return sorted(_names(page), key=_table(page).index)


def test_the_list_sorts_searches_and_filters_from_the_url(
    term, people, assigned, rubric, client_as
):
    review_submit(
        application=assigned["Ada"], reviewer=people["reviewer"], scores={rubric[0].pk: 3}
    )
    client = client_as("reviewer")

    assert _order(_list(client, term)) == ["Cleo", "Ada", "Ben"]  # form, then submitted
    assert _order(_list(client, term, "sort=applicant")) == ["Ada", "Ben", "Cleo"]
    assert _order(_list(client, term, "sort=-applicant")) == ["Cleo", "Ben", "Ada"]
    assert _names(_list(client, term, "q=ben%40example")) == ["Ben"]
    todo = _list(client, term, "state=todo")
    assert _names(todo) == ["Ben", "Cleo"]
    assert "2 of 3 left to review." in todo
    assert _names(_list(client, term, "state=reviewed")) == ["Ada"]
    assert 'aria-sort="ascending"' in _list(client, term, "sort=submitted")


def test_a_blind_list_neither_searches_nor_sorts_by_hidden_names(
    term, people, form, assigned, client_as
):
    form.blind_review = True
    form.save()
    client = client_as("reviewer")

    page = _list(client, term, "q=ada")
    assert "Nothing matches" in page and "Lovelace" not in page
    page = _list(client, term)
    assert blind_label(assigned["Ada"].pk) in page and "Lovelace" not in page


def test_the_reviewer_list_costs_the_same_queries_with_one_row_or_many(
    term, people, form, client_as
):
    client = client_as("reviewer")
    url = reverse("admissions:review_assignments", args=[term.slug])

    def assign(count):
        for application in SubmittedApplicationFactory.create_batch(count, form=form):
            review_assignment_create(
                application=application, reviewer=people["reviewer"], actor=None
            )

    assign(1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    assign(PAGE_SIZE + 5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()

    assert len(many) == len(one)
    assert page.count('class="assignment"') == PAGE_SIZE
    assert f"{PAGE_SIZE + 6} of {PAGE_SIZE + 6} left to review." in page


def _review_url(term, application, list_query=""):
    url = reverse("admissions:review_application", args=[term.slug, application.pk])
    return f"{url}?list={list_query}" if list_query else url


def test_save_and_next_opens_the_next_one_to_review_in_the_list_order(
    term, people, assigned, rubric, client_as
):
    client = client_as("reviewer")
    score = f"score-{rubric[0].pk}"
    list_query = "sort=applicant"  # Ada, Ben, Cleo

    # The list passes its own URL to the review page, which keeps it in the form.
    listing = _list(client, term, list_query)
    assert "?list=sort%3Dapplicant" in listing
    page = client.get(_review_url(term, assigned["Ada"], "sort%3Dapplicant")).content.decode()
    assert 'name="list" value="sort=applicant"' in page and "Save and next" in page

    first = client.post(
        _review_url(term, assigned["Ada"]),
        {score: "4", "comment": "Good.", "list": list_query, "then": "next"},
    )
    assert first.status_code == 302
    assert first["Location"] == _review_url(term, assigned["Ben"], "sort%3Dapplicant")

    # Pressed twice (a double click): one review, the same next application.
    again = client.post(
        _review_url(term, assigned["Ada"]),
        {score: "4", "comment": "Good.", "list": list_query, "then": "next"},
    )
    assert again["Location"] == first["Location"]
    assert Review.objects.filter(application=assigned["Ada"]).count() == 1

    client.post(
        _review_url(term, assigned["Ben"]), {score: "2", "list": list_query, "then": "next"}
    )
    last = client.post(
        _review_url(term, assigned["Cleo"]), {score: "5", "list": list_query, "then": "next"}
    )
    listing = client.get(last["Location"]).content.decode()

    assert last["Location"] == reverse("admissions:review_assignments", args=[term.slug]) + (
        "?sort=applicant"
    )
    assert "All reviewed" in listing
    assert "0 of 3 left to review." in listing


def test_save_and_next_follows_the_list_search_and_skips_what_is_reviewed(
    term, people, assigned, rubric, client_as
):
    client = client_as("reviewer")
    score = f"score-{rubric[0].pk}"
    review_submit(
        application=assigned["Ada"], reviewer=people["reviewer"], scores={rubric[0].pk: 1}
    )

    # Sorted by name descending, only "example" matches all; Ada is already reviewed.
    response = client.post(
        _review_url(term, assigned["Cleo"]),
        {score: "3", "list": "sort=-applicant&state=todo", "then": "next"},
    )
    assert response["Location"].startswith(_review_url(term, assigned["Ben"]))

    # A search narrowing the list to Cleo alone: nothing after her.
    response = client.post(
        _review_url(term, assigned["Ben"]), {score: "3", "list": "q=cleo", "then": "next"}
    )
    assert response["Location"].endswith("/review/?q=cleo")


def test_an_invalid_review_keeps_the_reviewer_on_the_page_with_their_input(
    term, people, assigned, form, client_as
):
    categories = [
        RubricCategoryFactory(form=form, name="Motivation"),
        RubricCategoryFactory(form=form, name="Preparation"),
    ]
    client = client_as("reviewer")

    response = client.post(
        _review_url(term, assigned["Ada"]),
        {
            f"score-{categories[0].pk}": "4",
            "comment": "Half done.",
            "list": "sort=applicant",
            "then": "next",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Give a score." in page
    assert '<option value="4" selected>' in page and "Half done." in page
    assert 'name="list" value="sort=applicant"' in page
    assert not Review.objects.exists()


def test_reviewer_loads_are_a_table_with_search_sort_and_filters(
    term, people, form, assigned, rubric, client_as
):
    quiet = UserFactory(name="Quentin Quiet", email="quentin@example.org")
    MembershipFactory(term=term, user=quiet, role=Role.REVIEWER)
    ReviewerConflict.objects.create(term=term, reviewer=quiet, applicant=assigned["Ada"].applicant)
    review_submit(
        application=assigned["Ada"], reviewer=people["reviewer"], scores={rubric[0].pk: 3}
    )
    client = client_as("organizer")
    url = reverse("admissions:review_settings", args=[term.slug, form.kind])

    def rows(query=""):
        page = client.get(f"{url}?{query}").content.decode()
        table = page[page.index('data-testid="reviewer-loads"') :]
        return table[: table.index("</table>")]

    everyone = rows()
    assert everyone.index("reviewer@example.org") < everyone.index("Quentin")  # "Person 4"
    assert "<td>3</td><td>1</td><td>2</td><td>0</td>" in everyone  # assigned, reviewed, left
    assert "<td>0</td><td>0</td><td>0</td><td>1</td>" in everyone  # Quentin's conflict
    assert rows("sort=-reviewer").index("Quentin") < rows("sort=-reviewer").index("reviewer@")
    assert rows("sort=left").index("Quentin") < rows("sort=left").index("reviewer@")
    assert "Quentin" not in rows("state=left") and "reviewer@" in rows("state=left")
    assert "Quentin" in rows("state=conflict") and "reviewer@" not in rows("state=conflict")
    assert "reviewer@" not in rows("q=quentin")


def test_reviewer_loads_cost_the_same_queries_with_one_reviewer_or_many(
    term, people, form, client_as
):
    client = client_as("organizer")
    url = reverse("admissions:review_settings", args=[term.slug, form.kind])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(PAGE_SIZE + 3):
        MembershipFactory(
            term=term, user=UserFactory(email=f"r{number}@example.org"), role=Role.REVIEWER
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()

    assert len(many) == len(one)
    assert page.count('class="reviewer-load"') == PAGE_SIZE


def test_an_organizer_reviewing_sees_names_and_sorts_and_searches_by_them(
    term, people, form, client_as
):
    form.blind_review = True
    form.save()
    application = SubmittedApplicationFactory(
        form=form, applicant=UserFactory(name="Ada Lovelace", email="ada@example.org")
    )
    MembershipFactory(term=term, user=people["organizer"], role=Role.REVIEWER)
    review_assignment_create(application=application, reviewer=people["organizer"], actor=None)
    client = client_as("organizer")

    page = _list(client, term, "sort=-applicant&q=lovelace")

    assert _names(page) == ["Ada"]
