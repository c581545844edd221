"""The ranked table at any size: the score in the database, pages of 50 in constant queries,
search, sort and filters in the URL, short headings, a link to the whole application, bulk
staging, and a release that names its count and shows one of its emails."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.models import Application, Decision, Review, ReviewScore
from cohortkit.admissions.selectors.ranking import ranking_filters, ranking_rows
from cohortkit.admissions.selectors.reviewing import aggregate_score, rubric_of
from cohortkit.admissions.services.deciding import decision_stage
from cohortkit.admissions.services.reviewing import (
    application_scores_rebuild,
    review_assignment_create,
    review_submit,
    rubric_category_save,
)
from cohortkit.admissions.tests.factories import RubricCategoryFactory, SubmittedApplicationFactory
from cohortkit.common.models import AuditEvent
from cohortkit.common.tables import PAGE_SIZE
from cohortkit.notifications.models import OutboundEmail
from cohortkit.programs.models import Term
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    MembershipFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CONFIRM_BY = dt.datetime(2099, 9, 25, 6, 59, tzinfo=dt.UTC)
LONG_QUESTION = "How many hours a week can you give the course, all things considered?"


@pytest.fixture
def form(term):
    form = ApplicationFormFactory(term=term, confirmation_deadline=CONFIRM_BY)
    FormQuestionFactory(
        form=form,
        key="track",
        label="Which track would you like?",
        type="choice",
        choices=[
            {"value": "intro", "label": "Introductory"},
            {"value": "advanced", "label": "Adv"},
        ],
    )
    FormQuestionFactory(
        form=form,
        key="topics",
        label="Topics",
        type="multi_choice",
        choices=[{"value": "rl", "label": "RL"}, {"value": "interp", "label": "Interpretability"}],
    )
    FormQuestionFactory(form=form, key="hours", label=LONG_QUESTION, type="yes_no")
    FormQuestionFactory(form=form, key="motivation", label="Why?", type="long_text")
    return form


@pytest.fixture
def intro(term):
    return TrackFactory(term=term, slug="intro", name="Introductory")


@pytest.fixture
def reviewer(term):
    reviewer = UserFactory(email="rita@example.org", name="Rita Reviewer")
    MembershipFactory(term=term, user=reviewer, role=Role.REVIEWER)
    return reviewer


def _apply(form, email, *, name="", track="intro", topics=("rl",), hours=True, why="Safety"):
    application = SubmittedApplicationFactory(
        form=form, applicant=UserFactory(email=email, name=name)
    )
    questions = {question.key: question for question in form.questions.all()}
    application.answers.create(question=questions["track"], raw=track, value=track)
    application.answers.create(
        question=questions["topics"], raw="\n".join(topics), value=list(topics)
    )
    application.answers.create(
        question=questions["hours"], raw="yes" if hours else "no", value=hours
    )
    application.answers.create(question=questions["motivation"], raw=why, value=why)
    return application


def _review(application, reviewer, scores, comment=""):
    review_assignment_create(application=application, reviewer=reviewer, actor=None)
    return review_submit(application=application, reviewer=reviewer, scores=scores, comment=comment)


# The score in the database -----------------------------------------------------------------


def test_the_database_score_is_the_python_score(form, term):
    background = RubricCategoryFactory(form=form, weight=1, max_score=5)
    motivation = RubricCategoryFactory(form=form, weight=3, max_score=10)
    cases: list[list[dict[Any, int]]] = [
        [{background: 5, motivation: 10}],
        [{background: 1, motivation: 2}, {background: 4, motivation: 7}],
        [{background: 3}],  # a review scoring one category only (an older rubric)
        [{}],  # a review without scores: no score yet
        [],
        [{background: 2, motivation: 9}, {}, {motivation: 1}],
    ]
    for number, reviews in enumerate(cases):
        application = _apply(form, f"a{number}@example.org")
        for index, scores in enumerate(reviews):
            review = Review.objects.create(
                application=application,
                reviewer=UserFactory(email=f"r{number}-{index}@example.org"),
                submitted_at=dt.datetime(2022, 9, 1, tzinfo=dt.UTC),
            )
            for category, score in scores.items():
                ReviewScore.objects.create(review=review, category=category, score=score)
    application_scores_rebuild(form=form)  # the reviews were written directly

    rows = list(ranking_rows(form=form))

    categories = rubric_of(form=form)
    for row in rows:
        reviews = Review.objects.filter(application=row.application).prefetch_related("score_rows")
        assert row.score == aggregate_score(reviews, categories), row.applicant.email
    ranked = [row.score for row in rows]
    known = [score for score in ranked if score is not None]
    assert known == sorted(known, reverse=True)
    assert ranked[len(known) :] == [None] * (len(ranked) - len(known))  # unreviewed last
    assert [row.rank for row in rows] == list(range(1, len(rows) + 1))


def test_the_stored_score_follows_every_review_and_rubric_change(form, term, reviewer):
    """The ranking reads ``Application.score`` (indexed); each review saved or edited and each
    change of a category's weight or maximum stores it again, equal to the Python score."""
    background = RubricCategoryFactory(form=form, weight=1, max_score=5)
    motivation = RubricCategoryFactory(form=form, weight=3, max_score=10)
    second = UserFactory(email="sam@example.org")
    MembershipFactory(term=term, user=second, role=Role.REVIEWER)
    application = _apply(form, "scored@example.org")
    untouched = _apply(form, "unreviewed@example.org")

    def stored_matches_python() -> tuple[float | None, int]:
        application.refresh_from_db()
        reviews = Review.objects.filter(application=application).prefetch_related("score_rows")
        assert application.score == aggregate_score(reviews, rubric_of(form=form))
        assert application.score_order == (-1.0 if application.score is None else application.score)
        return application.score, application.reviews_count

    assert stored_matches_python() == (None, 0)
    _review(application, reviewer, {background.pk: 5, motivation.pk: 4})
    assert stored_matches_python() == (55.0, 1)
    _review(application, second, {background.pk: 1, motivation.pk: 10})
    assert stored_matches_python() == (67.5, 2)
    _review(application, reviewer, {background.pk: 0, motivation.pk: 4})  # edited
    assert stored_matches_python() == (55.0, 2)
    rubric_category_save(
        form=form, category=background, name=background.name, weight=3, max_score=5, actor=None
    )
    assert stored_matches_python() == (40.0, 2)
    rubric_category_save(
        form=form, category=motivation, name=motivation.name, weight=3, max_score=20, actor=None
    )
    assert stored_matches_python() == (22.5, 2)

    # A rebuild from the reviews finds nothing to change.
    before = list(Application.objects.values_list("pk", "score", "score_order", "reviews_count"))
    assert application_scores_rebuild(form=form) == 2
    after = list(Application.objects.values_list("pk", "score", "score_order", "reviews_count"))
    assert sorted(after) == sorted(before)
    untouched.refresh_from_db()
    assert (untouched.score, untouched.score_order, untouched.reviews_count) == (None, -1.0, 0)


# The page ----------------------------------------------------------------------------------


def test_the_ranking_is_paginated_in_constant_queries(form, term, client_as, reviewer):
    category = RubricCategoryFactory(form=form, max_score=10)
    client = client_as("organizer")
    url = reverse("admissions:ranking", args=[term.slug, "participant"])
    _review(_apply(form, "first@example.org"), reviewer, {category.pk: 5})
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(PAGE_SIZE + 5):
        application = _apply(form, f"many-{number}@example.org")
        if number % 3 == 0:
            _review(application, reviewer, {category.pk: number % 10})
            decision_stage(application=application, outcome="reject", actor=None)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)

    assert len(many) == len(one)
    assert page.text.count('class="ranking-row') == PAGE_SIZE
    assert "Page 1 of 2" in page.text
    assert "56</strong> applications match; 1–50 shown." in page.text


def test_search_sort_and_filters_stay_in_the_url(form, term, client_as, reviewer):
    category = RubricCategoryFactory(form=form, max_score=10)
    ada = _apply(form, "ada@example.org", name="Ada Lovelace", topics=("rl", "interp"))
    ben = _apply(form, "ben@example.org", name="Ben Okafor", track="advanced")
    _apply(form, "cleo@example.org", name="Cleo Ng", topics=("interp",), hours=False)
    _review(ada, reviewer, {category.pk: 9})
    _review(ben, reviewer, {category.pk: 4})
    client = client_as("organizer")
    url = reverse("admissions:ranking", args=[term.slug, "participant"])

    by_score = client.get(url)
    by_name = client.get(url, {"sort": "name"})
    by_name_down = client.get(url, {"sort": "-name"})
    searched = client.get(url, {"q": "okafor"})
    by_email = client.get(url, {"q": "CLEO@example"})
    intro_interp = client.get(url, {"track": "intro", "topics": "interp", "sort": "name"})
    not_hours = client.get(url, {"hours": "no"})

    def emails(page):
        shown = [
            (page.text.index(f'<span class="muted">{email}'), email)
            for email in ("ada@example.org", "ben@example.org", "cleo@example.org")
            if f'<span class="muted">{email}' in page.text
        ]
        return [email for _, email in sorted(shown)]

    assert emails(by_score) == ["ada@example.org", "ben@example.org", "cleo@example.org"]
    assert emails(by_name) == ["ada@example.org", "ben@example.org", "cleo@example.org"]
    assert emails(by_name_down) == ["cleo@example.org", "ben@example.org", "ada@example.org"]
    assert emails(searched) == ["ben@example.org"]
    assert emails(by_email) == ["cleo@example.org"]
    assert emails(intro_interp) == ["ada@example.org", "cleo@example.org"]
    assert emails(not_hours) == ["cleo@example.org"]
    # The sort is announced and its links keep the filters.
    assert 'aria-sort="descending"' in by_score.text
    assert 'aria-sort="ascending"' in by_name.text
    assert "track=intro" in intro_interp.text and "topics=interp" in intro_interp.text
    assert 'name="q" value="okafor"' in searched.text


def test_headings_are_short_with_the_whole_question_kept(form, term, client_as):
    _apply(form, "ada@example.org")

    page = client_as("organizer").get(
        reverse("admissions:ranking", args=[term.slug, "participant"])
    )

    # A short name the table knows, the whole question for whoever hovers or listens.
    assert 'title="Which track would you like?" aria-hidden="true">Track</span>' in page.text
    assert '<span class="visually-hidden">Which track would you like?</span>' in page.text
    # With a known short column, the other questions are filters, not columns.
    assert f'title="{LONG_QUESTION}"' not in page.text
    labels = [item.label for item in ranking_filters(form=form, params={})]
    assert labels == ["Which track would you like?", "Topics", LONG_QUESTION]


def test_a_long_question_is_a_truncated_heading_with_its_full_text(term, client_as):
    form = ApplicationFormFactory(term=term)
    FormQuestionFactory(form=form, key="hours", label=LONG_QUESTION, type="yes_no")
    application = SubmittedApplicationFactory(form=form, applicant=UserFactory())
    application.answers.create(question=form.questions.get(), raw="yes", value=True)

    page = client_as("organizer").get(
        reverse("admissions:ranking", args=[term.slug, "participant"])
    )

    assert f'title="{LONG_QUESTION}"' in page.text
    assert f'<span class="visually-hidden">{LONG_QUESTION}</span>' in page.text
    assert "How many hours a week c…" in page.text


def test_a_row_links_to_the_whole_application_with_its_reviews(form, term, client_as, reviewer):
    category = RubricCategoryFactory(form=form, name="Motivation", max_score=10)
    ada = _apply(form, "ada@example.org", name="Ada Lovelace", why="To make AI safe")
    _review(ada, reviewer, {category.pk: 8}, comment="Clear and *specific* goals.")
    _review(_apply(form, "ben@example.org"), reviewer, {category.pk: 10})
    other = ApplicationFormFactory(term=term, kind="facilitator")
    stranger = SubmittedApplicationFactory(form=other)
    client = client_as("organizer")
    ranking_url = reverse("admissions:ranking", args=[term.slug, "participant"])
    whole_url = reverse("admissions:application_full", args=[term.slug, "participant", ada.pk])

    ranking = client.get(ranking_url, {"q": "ada"})
    whole = client.get(whole_url, {"back": f"{ranking_url}?q=ada"})
    evil = client.get(whole_url, {"back": "javascript:alert(1)"})
    wrong_form = client.get(
        reverse("admissions:application_full", args=[term.slug, "participant", stranger.pk])
    )

    assert whole_url in ranking.text
    assert whole.status_code == 200
    for text in ("Ada Lovelace", "To make AI safe", LONG_QUESTION, "Rita Reviewer", "8 / 10"):
        assert text in whole.text
    assert "Clear and *specific* goals." in whole.text
    assert "80.0 (rank 2)" in whole.text  # among every application, not the one shown
    assert f'href="{ranking_url}?q=ada"' in whole.text
    assert "javascript:" not in evil.text
    assert wrong_form.status_code == 404


# Bulk staging ------------------------------------------------------------------------------


def _bulk(client, term, data):
    return client.post(
        reverse("admissions:decisions_stage_bulk", args=[term.slug, "participant"]), data
    )


def test_bulk_staging_all_matching_the_filter_once_and_audited(form, term, intro, client_as):
    intro_people = [_apply(form, f"intro-{n}@example.org") for n in range(3)]
    advanced = _apply(form, "advanced@example.org", track="advanced")
    client = client_as("organizer")
    data = {
        "track": "intro",
        "bulk-all": "1",
        "bulk-expected": "3",
        "bulk-choice": "waitlist:intro",
        "bulk-waitlist_rank": "4",
    }

    first = _bulk(client, term, data)
    page = client.get(first["Location"])
    again = _bulk(client, term, data)
    page_again = client.get(again["Location"])

    assert first.status_code == 302
    assert "Staged 3 decisions." in page.text
    assert "Staged 0 decisions. 3 already staged so." in page_again.text
    decisions = Decision.objects.order_by("waitlist_rank")
    assert [d.application_id for d in decisions] == [a.pk for a in intro_people]
    assert [d.waitlist_rank for d in decisions] == [4, 5, 6]
    assert {(d.outcome, d.track_id) for d in decisions} == {("waitlist", intro.pk)}
    assert not Decision.objects.filter(application=advanced).exists()
    events = AuditEvent.objects.filter(action="decisions.staged_in_bulk")
    assert events.count() == 1
    assert sorted(events.get().details["applications"]) == sorted(a.pk for a in intro_people)


def test_bulk_staging_the_ticked_rows_checks_they_are_in_the_table(form, term, intro, client_as):
    ada = _apply(form, "ada@example.org", name="Ada")
    ben = _apply(form, "ben@example.org", name="Ben", track="advanced")
    other_form = ApplicationFormFactory(term=term, kind="facilitator")
    stranger = SubmittedApplicationFactory(form=other_form)
    client = client_as("organizer")

    foreign = _bulk(
        client,
        term,
        {"bulk-selected": [str(ada.pk), str(stranger.pk)], "bulk-choice": "reject:"},
    )
    outside_filter = _bulk(
        client,
        term,
        {"track": "intro", "bulk-selected": [str(ben.pk)], "bulk-choice": "reject:"},
    )
    refused_page = client.get(foreign["Location"])
    assert not Decision.objects.exists()
    ticked = _bulk(
        client,
        term,
        {"bulk-selected": [str(ada.pk), str(ben.pk)], "bulk-choice": "accept:intro"},
    )

    assert "not in this table" in refused_page.text
    assert outside_filter.status_code == 302
    assert ticked.status_code == 302
    assert set(Decision.objects.values_list("application_id", "outcome")) == {
        (ada.pk, "accept"),
        (ben.pk, "accept"),
    }


def test_bulk_staging_refuses_a_changed_count_and_a_closed_term(form, term, intro, client_as):
    _apply(form, "ada@example.org")
    client = client_as("organizer")
    data = {"bulk-all": "1", "bulk-expected": "2", "bulk-choice": "reject:"}

    stale = _bulk(client, term, data)
    Term.objects.filter(pk=term.pk).update(archived_at=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
    closed = _bulk(client, term, {**data, "bulk-expected": "1"})

    assert stale.status_code == 409 and "nothing was staged" in stale.text
    assert closed.status_code == 403 or closed.status_code == 409
    assert not Decision.objects.exists()
    assert not AuditEvent.objects.filter(action="decisions.staged_in_bulk").exists()


# Releasing ---------------------------------------------------------------------------------


def test_release_confirmation_names_the_count_and_shows_one_email(
    form, term, intro, client_as, django_capture_on_commit_callbacks
):
    ada = _apply(form, "ada@example.org", name="Ada Lovelace")
    ben = _apply(form, "ben@example.org", name="Ben")
    cleo = _apply(form, "cleo@example.org", name="Cleo")
    decision_stage(application=ada, outcome="accept", track=intro, actor=None)
    decision_stage(application=ben, outcome="reject", actor=None)
    client = client_as("organizer")
    confirm_url = reverse("admissions:decisions_release_confirm", args=[term.slug, "participant"])
    release_url = reverse("admissions:decisions_release", args=[term.slug, "participant"])

    ranking = client.get(reverse("admissions:ranking", args=[term.slug, "participant"]))
    confirm = client.get(confirm_url)
    # Someone stages one more while the page is open: the confirmed count is stale.
    decision_stage(application=cleo, outcome="reject", actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        stale = client.post(release_url, {"expected": "2"})
    assert stale.status_code == 409
    assert not OutboundEmail.objects.exists() and not mail.outbox
    assert not Decision.objects.filter(released_at__isnull=False).exists()
    unconfirmed = client.post(release_url)
    with django_capture_on_commit_callbacks(execute=True):
        released = client.post(release_url, {"expected": "3"})

    assert f'action="{confirm_url}"' in ranking.text
    assert "2 people will be emailed" in confirm.text
    assert "1 — Accept: Introductory" in confirm.text and "1 — Reject" in confirm.text
    assert "To <strong>ada@example.org</strong>" in confirm.text
    assert "Ada Lovelace" in confirm.text and "Introductory" in confirm.text
    assert "cannot be undone" in confirm.text
    assert 'name="expected" value="2"' in confirm.text
    assert unconfirmed.status_code == 302 and unconfirmed["Location"] == confirm_url
    assert released.status_code == 302
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "ada@example.org",
        "ben@example.org",
        "cleo@example.org",
    ]


# The API -----------------------------------------------------------------------------------


@pytest.fixture
def api(client, people):
    token = api_token_create(user=people["organizer"])

    def get(path, **params):
        return client.get(f"/api/v1{path}", params, headers={"Authorization": f"Bearer {token}"})

    return get


def test_the_api_ranking_is_paginated_in_constant_queries(form, term, api, reviewer):
    category = RubricCategoryFactory(form=form, max_score=10)
    path = f"/terms/{term.slug}/forms/participant/ranking"
    _review(_apply(form, "first@example.org"), reviewer, {category.pk: 10})
    api(path)
    with CaptureQueriesContext(connection) as one:
        single = api(path).json()
    for number in range(60):
        _apply(form, f"many-{number}@example.org", track="advanced" if number % 2 else "intro")
    with CaptureQueriesContext(connection) as many:
        first = api(path).json()
    second = api(path, page="2", limit="25").json()
    filtered = api(path, track="advanced", limit="100").json()
    past_the_end = api(path, page="9").json()
    too_many = api(path, limit="100000")

    assert len(many) == len(one)
    assert (single["total"], single["page"], single["limit"], single["pages"]) == (1, 1, 50, 1)
    assert (first["total"], len(first["rows"]), first["pages"]) == (61, 50, 2)
    assert first["rows"][0]["applicant"]["email"] == "first@example.org"
    assert first["rows"][0]["score"] == 100.0 and first["rows"][0]["rank"] == 1
    assert [row["rank"] for row in second["rows"]] == list(range(26, 51))
    assert filtered["total"] == 30 and len(filtered["rows"]) == 30
    assert past_the_end["rows"] == [] and past_the_end["total"] == 61
    assert too_many.status_code == 400 and "limit" in too_many.json()["field_errors"]
