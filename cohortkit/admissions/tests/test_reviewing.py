"""Reviewing: automatic and manual assignment, conflicts, scoring, blind mode, who may open what."""

import datetime as dt
from collections import Counter

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.admissions.models import ReviewAssignment, ReviewerConflict, ReviewScore
from cohortkit.admissions.selectors.reviewing import aggregate_score
from cohortkit.admissions.services.deciding import decision_stage, decisions_release
from cohortkit.admissions.services.reviewing import (
    review_assignment_create,
    review_submit,
    reviewer_conflict_declare,
    reviews_assign,
    rubric_category_delete,
    rubric_category_save,
)
from cohortkit.admissions.tests.factories import RubricCategoryFactory, SubmittedApplicationFactory
from cohortkit.common.errors import ServiceError
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    MembershipFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(term):
    return ApplicationFormFactory(term=term)


@pytest.fixture
def reviewers(term):
    people = [UserFactory(email=f"reviewer{n}@example.org") for n in range(4)]
    for person in people:
        MembershipFactory(term=term, user=person, role=Role.REVIEWER)
    return people


def _loads(form):
    return Counter(
        ReviewAssignment.objects.filter(application__form=form).values_list(
            "reviewer_id", flat=True
        )
    )


def test_each_application_gets_k_distinct_reviewers_with_balanced_load(form, reviewers):
    applications = SubmittedApplicationFactory.create_batch(7, form=form)

    summary = reviews_assign(form=form, reviewers=reviewers, per_application=2, actor=None)

    assert summary.created == 14 and summary.short == []
    for application in applications:
        assert application.review_assignments.count() == 2
    loads = _loads(form)
    assert sorted(loads.values()) == [3, 3, 4, 4]


def test_nobody_reviews_themselves_or_a_declared_conflict(term, form, reviewers):
    # Reviewer 0 applied too; reviewer 1 declared a conflict with one applicant.
    own = SubmittedApplicationFactory(form=form, applicant=reviewers[0])
    conflicted = SubmittedApplicationFactory(form=form)
    others = SubmittedApplicationFactory.create_batch(6, form=form)
    ReviewerConflict.objects.create(
        term=term, reviewer=reviewers[1], applicant=conflicted.applicant
    )

    reviews_assign(form=form, reviewers=reviewers, per_application=2, actor=None)

    assert not own.review_assignments.filter(reviewer=reviewers[0]).exists()
    assert not conflicted.review_assignments.filter(reviewer=reviewers[1]).exists()
    assert all(app.review_assignments.count() == 2 for app in [own, conflicted, *others])
    loads = _loads(form)
    assert max(loads.values()) - min(loads.values()) <= 1


def test_assigning_again_keeps_pairs_and_only_fills_gaps(form, reviewers):
    first = SubmittedApplicationFactory.create_batch(4, form=form)
    reviews_assign(form=form, reviewers=reviewers, per_application=2, actor=None)
    before = set(ReviewAssignment.objects.values_list("application_id", "reviewer_id"))

    again = reviews_assign(form=form, reviewers=reviewers, per_application=2, actor=None)
    late = SubmittedApplicationFactory.create_batch(2, form=form)
    filled = reviews_assign(form=form, reviewers=reviewers, per_application=2, actor=None)

    assert again.created == 0
    assert filled.created == 4
    after = set(ReviewAssignment.objects.values_list("application_id", "reviewer_id"))
    assert before <= after
    assert all(app.review_assignments.count() == 2 for app in [*first, *late])
    loads = _loads(form)
    assert max(loads.values()) - min(loads.values()) <= 1


def test_drafts_and_withdrawn_applications_are_not_assigned(form, reviewers):
    SubmittedApplicationFactory(form=form, status="draft", submitted_at=None)
    SubmittedApplicationFactory(form=form, status="withdrawn")

    summary = reviews_assign(form=form, reviewers=reviewers, per_application=2, actor=None)

    assert summary.created == 0


def test_too_few_eligible_reviewers_is_reported_not_hidden(form, reviewers):
    application = SubmittedApplicationFactory(form=form, applicant=reviewers[0])

    summary = reviews_assign(form=form, reviewers=reviewers[:2], per_application=2, actor=None)

    assert summary.short == [application.pk]
    assert application.review_assignments.count() == 1


def test_only_reviewers_of_the_term_can_be_assigned(form, reviewers):
    SubmittedApplicationFactory(form=form)
    outsider = UserFactory()

    with pytest.raises(ServiceError, match="not reviewers"):
        reviews_assign(form=form, reviewers=[*reviewers, outsider], per_application=1, actor=None)
    assert not ReviewAssignment.objects.exists()


def test_manual_assignment_refuses_self_and_conflict(term, form, reviewers):
    own = SubmittedApplicationFactory(form=form, applicant=reviewers[0])
    other = SubmittedApplicationFactory(form=form)
    reviewer_conflict_declare(
        term=term, reviewer=reviewers[1], applicant=other.applicant, actor=reviewers[1]
    )

    with pytest.raises(ServiceError, match="own application"):
        review_assignment_create(application=own, reviewer=reviewers[0], actor=None)
    with pytest.raises(ServiceError, match="conflict"):
        review_assignment_create(application=other, reviewer=reviewers[1], actor=None)
    review_assignment_create(application=other, reviewer=reviewers[2], actor=None)
    assert list(ReviewAssignment.objects.values_list("reviewer_id", flat=True)) == [reviewers[2].pk]


def test_declaring_a_conflict_hands_back_an_unreviewed_assignment(term, form, reviewers):
    application = SubmittedApplicationFactory(form=form)
    review_assignment_create(application=application, reviewer=reviewers[0], actor=None)

    reviewer_conflict_declare(
        term=term, reviewer=reviewers[0], applicant=application.applicant, actor=reviewers[0]
    )

    assert not ReviewAssignment.objects.exists()


def test_a_conflict_with_oneself_is_refused_by_the_database(term, reviewers):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewerConflict.objects.create(term=term, reviewer=reviewers[0], applicant=reviewers[0])


# Scoring -----------------------------------------------------------------------------------


@pytest.fixture
def rubric(form):
    return [
        RubricCategoryFactory(form=form, name="Background", weight=1, max_score=5),
        RubricCategoryFactory(form=form, name="Motivation", weight=3, max_score=10),
    ]


def test_review_scores_every_category_within_range(form, reviewers, rubric):
    application = SubmittedApplicationFactory(form=form)
    review_assignment_create(application=application, reviewer=reviewers[0], actor=None)
    background, motivation = rubric

    with pytest.raises(ServiceError) as refused:
        review_submit(
            application=application,
            reviewer=reviewers[0],
            scores={background.pk: 6, motivation.pk: -1},
        )
    assert set(refused.value.field_errors) == {str(background.pk), str(motivation.pk)}
    with pytest.raises(ServiceError, match="check the marked"):
        review_submit(application=application, reviewer=reviewers[0], scores={background.pk: 3})
    assert not ReviewScore.objects.exists()

    review = review_submit(
        application=application,
        reviewer=reviewers[0],
        scores={background.pk: 5, motivation.pk: 4},
        comment=" Strong. ",
    )

    assert review.scores == {background.pk: 5, motivation.pk: 4}
    assert review.comment == "Strong."


def test_only_an_assigned_reviewer_can_review(form, reviewers, rubric):
    application = SubmittedApplicationFactory(form=form)

    with pytest.raises(ServiceError, match="not assigned"):
        review_submit(
            application=application,
            reviewer=reviewers[0],
            scores={category.pk: 1 for category in rubric},
        )


def test_reviews_can_change_until_the_decision_is_released(form, reviewers, rubric):
    application = SubmittedApplicationFactory(form=form)
    review_assignment_create(application=application, reviewer=reviewers[0], actor=None)
    scores = {category.pk: 1 for category in rubric}
    review_submit(application=application, reviewer=reviewers[0], scores=scores)
    review_submit(application=application, reviewer=reviewers[0], scores={k: 2 for k in scores})
    decision_stage(application=application, outcome="reject", actor=None)
    decisions_release(form=form, actor=None)

    with pytest.raises(ServiceError, match="released"):
        review_submit(application=application, reviewer=reviewers[0], scores={k: 5 for k in scores})
    assert set(ReviewScore.objects.values_list("score", flat=True)) == {2}


def test_aggregate_is_the_mean_of_weighted_review_percentages(form, reviewers, rubric):
    application = SubmittedApplicationFactory(form=form)
    background, motivation = rubric
    for reviewer, scores in [
        (reviewers[0], {background.pk: 5, motivation.pk: 10}),  # 100 %
        (reviewers[1], {background.pk: 0, motivation.pk: 5}),  # (0·1 + 0.5·3) / 4 = 37.5 %
    ]:
        review_assignment_create(application=application, reviewer=reviewer, actor=None)
        review_submit(application=application, reviewer=reviewer, scores=scores)

    reviews = list(application.reviews.all())

    assert aggregate_score(reviews, rubric) == 68.8
    assert aggregate_score([], rubric) is None


def test_a_category_scored_by_a_review_cannot_be_removed(form, reviewers, rubric):
    application = SubmittedApplicationFactory(form=form)
    review_assignment_create(application=application, reviewer=reviewers[0], actor=None)
    review_submit(application=application, reviewer=reviewers[0], scores={c.pk: 4 for c in rubric})

    with pytest.raises(ServiceError, match="not removed"):
        rubric_category_delete(category=rubric[0], actor=None)
    with pytest.raises(ServiceError, match="highest score"):
        rubric_category_save(
            form=form, category=rubric[0], name="Background", weight=1, max_score=3, actor=None
        )


# Pages -------------------------------------------------------------------------------------


@pytest.fixture
def blind_setup(term, people):
    form = ApplicationFormFactory(term=term, blind_review=True)
    FormQuestionFactory(form=form, key="motivation", label="Why this course?")
    FormQuestionFactory(
        form=form, key="secret", label="Organizers only question", visible_to_reviewers=False
    )
    applicant = UserFactory(email="ada.lovelace@example.org", name="Ada Lovelace")
    application = SubmittedApplicationFactory(form=form, applicant=applicant)
    application.answers.create(question=form.questions.get(key="motivation"), raw="Safety!")
    application.answers.create(question=form.questions.get(key="secret"), raw="hidden text")
    rubric = [RubricCategoryFactory(form=form, name="Motivation")]
    review_assignment_create(application=application, reviewer=people["reviewer"], actor=None)
    return form, application, rubric


def test_blind_review_page_hides_names_emails_and_hidden_questions(blind_setup, client_as, term):
    _, application, _ = blind_setup

    response = client_as("reviewer").get(
        reverse("admissions:review_application", args=[term.slug, application.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Safety!" in page and "Why this course?" in page
    assert "Lovelace" not in page and "ada.lovelace@" not in page
    assert "hidden text" not in page and "Organizers only" not in page


def test_reviewer_cannot_open_an_unassigned_application(blind_setup, client_as, term):
    form, _, _ = blind_setup
    other = SubmittedApplicationFactory(form=form)

    response = client_as("reviewer").get(
        reverse("admissions:review_application", args=[term.slug, other.pk])
    )

    assert response.status_code == 404


def test_reviewer_scores_through_the_page_and_sees_it_done(blind_setup, client_as, term, people):
    _, application, rubric = blind_setup
    client = client_as("reviewer")

    response = client.post(
        reverse("admissions:review_application", args=[term.slug, application.pk]),
        {f"score-{rubric[0].pk}": "4", "comment": "Clear motivation."},
    )
    listing = client.get(reverse("admissions:review_assignments", args=[term.slug]))

    assert response.status_code == 302
    assert application.reviews.get().scores == {rubric[0].pk: 4}
    assert "Reviewed" in listing.content.decode()
    assert "Lovelace" not in listing.content.decode()


def test_review_after_release_is_refused_on_the_page(blind_setup, client_as, term):
    form, application, rubric = blind_setup
    TrackFactory(term=term, slug="intro")
    decision_stage(application=application, outcome="reject", actor=None)
    decisions_release(form=form, actor=None)

    response = client_as("reviewer").post(
        reverse("admissions:review_application", args=[term.slug, application.pk]),
        {f"score-{rubric[0].pk}": "4"},
    )

    assert response.status_code == 400
    assert "reviews are closed" in response.content.decode()
    assert not application.reviews.exists()


def test_reviewer_list_query_count_does_not_grow(
    term, people, django_assert_max_num_queries, client_as
):
    form = ApplicationFormFactory(term=term)
    client = client_as("reviewer")
    url = reverse("admissions:review_assignments", args=[term.slug])

    def assign(count):
        for application in SubmittedApplicationFactory.create_batch(count, form=form):
            review_assignment_create(
                application=application, reviewer=people["reviewer"], actor=None
            )

    assign(1)
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    assign(20)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="assignment"') == 21


def test_demo_reviews_load_adds_a_rubric_and_assignments_once(term, people):
    from cohortkit.demo.applications import DEMO_ASSIGNMENTS, demo_reviews_load

    form = ApplicationFormFactory(term=term)
    SubmittedApplicationFactory.create_batch(DEMO_ASSIGNMENTS + 3, form=form)
    now = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)

    first = demo_reviews_load(term=term, reviewer=people["reviewer"], now=now)
    again = demo_reviews_load(term=term, reviewer=people["reviewer"], now=now)

    assert (first.rubric_created, first.assigned) == (3, DEMO_ASSIGNMENTS)
    assert (again.rubric_created, again.assigned) == (0, 0)
    assert form.rubric.count() == 3
