"""The review and decision API: the same rules and services as the pages, through a token."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.models import Decision, Enrollment, ReviewAssignment
from cohortkit.admissions.services.deciding import decision_stage, decisions_release
from cohortkit.admissions.services.reviewing import review_assignment_create, review_submit
from cohortkit.admissions.tests.factories import RubricCategoryFactory, SubmittedApplicationFactory
from cohortkit.notifications.models import OutboundEmail
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    MembershipFactory,
    TrackFactory,
    UserFactory,
)
from conftest import ROLES

pytestmark = pytest.mark.django_db

CONFIRM_BY = dt.datetime(2099, 9, 25, 6, 59, tzinfo=dt.UTC)
OK, NOT_FOUND, FORBIDDEN = 200, 404, 403


@pytest.fixture
def call(client):
    """``call(person, method, path, **kwargs)``: one API request with the person's token."""
    tokens: dict[int, str] = {}

    def request(person, method, path, **kwargs):
        headers = {}
        if person is not None:
            if person.pk not in tokens:
                tokens[person.pk] = api_token_create(user=person)
            headers["Authorization"] = f"Bearer {tokens[person.pk]}"
        return getattr(client, method)(
            f"/api/v1{path}", content_type="application/json", headers=headers, **kwargs
        )

    return request


@pytest.fixture
def form(term):
    form = ApplicationFormFactory(term=term, blind_review=True, confirmation_deadline=CONFIRM_BY)
    FormQuestionFactory(form=form, key="motivation", label="Why this course?", type="long_text")
    FormQuestionFactory(
        form=form,
        key="track",
        label="Preferred track",
        type="choice",
        choices=[{"value": "intro", "label": "Introductory"}, {"value": "advanced", "label": "A"}],
    )
    FormQuestionFactory(
        form=form, key="secret", label="Organizers only question", visible_to_reviewers=False
    )
    return form


@pytest.fixture
def tracks(term):
    return {
        "intro": TrackFactory(term=term, slug="intro", name="Introductory"),
        "advanced": TrackFactory(term=term, slug="advanced", name="Advanced"),
    }


def _apply(form, email, *, name="", motivation="Safety!", track="intro"):
    applicant = UserFactory(email=email, name=name)
    application = SubmittedApplicationFactory(form=form, applicant=applicant)
    questions = {question.key: question for question in form.questions.all()}
    application.answers.create(question=questions["motivation"], raw=motivation, value=motivation)
    application.answers.create(question=questions["track"], raw=track, value=track)
    application.answers.create(question=questions["secret"], raw="hidden text", value="hidden")
    return application


@pytest.fixture
def rubric(form):
    return [
        RubricCategoryFactory(form=form, name="Background", weight=1, max_score=5),
        RubricCategoryFactory(form=form, name="Motivation", weight=3, max_score=10),
    ]


@pytest.fixture
def assigned(form, people, rubric):
    """Ada's application assigned to the reviewer; Bob's to nobody."""
    ada = _apply(form, "ada.lovelace@example.org", name="Ada Lovelace")
    bob = _apply(form, "bob@example.org", name="Bob Builder", track="advanced")
    review_assignment_create(application=ada, reviewer=people["reviewer"], actor=None)
    return ada, bob


# Reviewers ---------------------------------------------------------------------------------


def test_reviewer_lists_and_reads_assignments_blind(call, people, assigned, rubric, term):
    ada, bob = assigned
    reviewer = people["reviewer"]

    listing = call(reviewer, "get", f"/terms/{term.slug}/reviews")
    detail = call(reviewer, "get", f"/terms/{term.slug}/reviews/{ada.pk}")
    other = call(reviewer, "get", f"/terms/{term.slug}/reviews/{bob.pk}")
    organizer_view = call(people["organizer"], "get", f"/terms/{term.slug}/reviews/{bob.pk}")

    assert listing.status_code == 200
    assert listing.json() == [
        {
            "application_id": ada.pk,
            "kind": "participant",
            "submitted_at": listing.json()[0]["submitted_at"],
            "applicant": None,
            "reviewed": False,
            "closed": False,
        }
    ]
    body = detail.json()
    assert detail.status_code == 200 and body["applicant"] is None
    assert [answer["key"] for answer in body["answers"]] == ["motivation", "track"]
    assert "Lovelace" not in detail.content.decode() and "hidden text" not in detail.text
    assert [category["id"] for category in body["rubric"]] == [c.pk for c in rubric]
    assert (body["assigned"], body["closed"], body["review"]) == (True, False, None)
    assert other.status_code == 404  # not assigned: as if it did not exist
    # Organizers see names even in blind mode, and may read any application.
    assert organizer_view.status_code == 200
    assert organizer_view.json()["applicant"]["email"] == "bob@example.org"


def test_reviewer_scores_refused_as_a_whole_then_saved_and_edited(
    call, people, assigned, rubric, term
):
    ada, _ = assigned
    reviewer = people["reviewer"]
    background, motivation = rubric
    url = f"/terms/{term.slug}/reviews/{ada.pk}"

    out_of_range = call(
        reviewer, "put", url, data={"scores": {str(background.pk): 6, str(motivation.pk): -1}}
    )
    missing = call(reviewer, "put", url, data={"scores": {str(background.pk): 3}})
    not_a_number = call(
        reviewer,
        "put",
        url,
        data={"scores": {str(background.pk): "3", str(motivation.pk): True}},
    )
    unknown = call(reviewer, "put", url, data={"scores": {"motivation": 3}})
    assert not ada.reviews.exists()

    saved = call(
        reviewer,
        "put",
        url,
        data={"scores": {str(background.pk): 4, str(motivation.pk): 7}, "comment": " Clear. "},
    )
    edited = call(
        reviewer, "put", url, data={"scores": {str(background.pk): 5, str(motivation.pk): 8}}
    )
    listing = call(reviewer, "get", f"/terms/{term.slug}/reviews").json()

    assert out_of_range.status_code == 400
    assert set(out_of_range.json()["field_errors"]) == {str(background.pk), str(motivation.pk)}
    assert missing.status_code == 400
    assert missing.json()["field_errors"] == {str(motivation.pk): "Give a score."}
    assert not_a_number.status_code == 400
    assert set(not_a_number.json()["field_errors"]) == {str(background.pk), str(motivation.pk)}
    assert unknown.status_code == 400 and "motivation" in unknown.json()["field_errors"]
    assert saved.status_code == 200
    assert saved.json()["review"]["scores"] == {str(background.pk): 4, str(motivation.pk): 7}
    assert saved.json()["review"]["comment"] == "Clear."
    assert edited.json()["review"]["scores"] == {str(background.pk): 5, str(motivation.pk): 8}
    assert ada.reviews.get().scores == {background.pk: 5, motivation.pk: 8}
    assert listing[0]["reviewed"] is True


def test_unassigned_scoring_and_scoring_after_release_are_refused(
    call, people, assigned, rubric, term, form
):
    ada, bob = assigned
    scores = {str(category.pk): 1 for category in rubric}

    by_reviewer = call(
        people["reviewer"], "put", f"/terms/{term.slug}/reviews/{bob.pk}", data={"scores": scores}
    )
    by_organizer = call(
        people["organizer"], "put", f"/terms/{term.slug}/reviews/{bob.pk}", data={"scores": scores}
    )
    decision_stage(application=ada, outcome="reject", actor=None)
    decisions_release(form=form, actor=None)
    closed = call(
        people["reviewer"], "put", f"/terms/{term.slug}/reviews/{ada.pk}", data={"scores": scores}
    )

    assert by_reviewer.status_code == 404
    assert by_organizer.status_code == 403 and "not assigned" in by_organizer.json()["detail"]
    assert closed.status_code == 409 and "reviews are closed" in closed.json()["detail"]
    assert not ada.reviews.exists() and not bob.reviews.exists()


# The review routes × every role, against a real assigned application.
REVIEW_ROUTE_ROLES = {
    "anonymous": 401,
    "applicant": NOT_FOUND,
    "participant": FORBIDDEN,
    "facilitator_other_section": FORBIDDEN,
    "facilitator": FORBIDDEN,
    "reviewer": OK,
    "organizer_other_term": NOT_FOUND,
    "organizer": OK,
}


@pytest.mark.parametrize("role", ROLES)
def test_review_routes_role_matrix_on_an_assigned_application(
    role, call, people, assigned, rubric, term
):
    ada, _ = assigned
    person = None if role == "anonymous" else people[role]
    scores = {str(category.pk): 2 for category in rubric}

    listing = call(person, "get", f"/terms/{term.slug}/reviews")
    detail = call(person, "get", f"/terms/{term.slug}/reviews/{ada.pk}")
    write = call(person, "put", f"/terms/{term.slug}/reviews/{ada.pk}", data={"scores": scores})

    expected = REVIEW_ROUTE_ROLES[role]
    assert (listing.status_code, detail.status_code) == (expected, expected)
    # The organizer may read but not score what is not assigned to them.
    assert write.status_code == (FORBIDDEN if role == "organizer" else expected)
    assert ada.reviews.count() == (1 if role == "reviewer" else 0)


# Organizers --------------------------------------------------------------------------------


@pytest.fixture
def reviewers(term, people):
    extra = [UserFactory(email=f"reviewer{n}@example.org") for n in range(2)]
    for person in extra:
        MembershipFactory(term=term, user=person, role=Role.REVIEWER)
    return [people["reviewer"], *extra]


def test_organizer_reads_the_rubric_and_assigns_automatically(
    call, people, form, rubric, reviewers, term
):
    applications = [_apply(form, f"a{n}@example.org") for n in range(6)]
    own = _apply(form, "self@example.org")
    MembershipFactory(term=term, user=own.applicant, role=Role.REVIEWER)

    described = call(people["organizer"], "get", f"/terms/{term.slug}/forms/participant/rubric")
    first = call(
        people["organizer"],
        "post",
        f"/terms/{term.slug}/forms/participant/assignments/auto",
        data={},
    )
    again = call(
        people["organizer"],
        "post",
        f"/terms/{term.slug}/forms/participant/assignments/auto",
        data={"per_application": 2},
    )
    bad = call(
        people["organizer"],
        "post",
        f"/terms/{term.slug}/forms/participant/assignments/auto",
        data={"per_application": -1},
    )

    assert described.status_code == 200
    assert described.json()["blind_review"] is True
    assert [c["name"] for c in described.json()["categories"]] == ["Background", "Motivation"]
    assert first.status_code == 200 and first.json()["created"] == 14  # 7 applications × k=2
    assert first.json()["short"] == []
    loads = [load["assigned"] for load in first.json()["loads"]]
    assert max(loads) - min(loads) <= 1 and sum(loads) == 14
    assert again.json()["created"] == 0
    assert bad.status_code == 400
    assert not ReviewAssignment.objects.filter(application=own, reviewer=own.applicant).exists()
    assert all(application.review_assignments.count() == 2 for application in applications)


def _scored(application, reviewer, rubric, background, motivation):
    review_assignment_create(application=application, reviewer=reviewer, actor=None)
    review_submit(
        application=application,
        reviewer=reviewer,
        scores={rubric[0].pk: background, rubric[1].pk: motivation},
    )


def test_ranking_is_by_aggregate_score_with_answer_filters(
    call, people, form, rubric, reviewers, term
):
    low = _apply(form, "low@example.org", track="intro")
    high = _apply(form, "high@example.org", track="advanced")
    unreviewed = _apply(form, "unreviewed@example.org", track="intro")
    _scored(low, reviewers[0], rubric, 1, 2)
    _scored(high, reviewers[0], rubric, 5, 10)
    url = f"/terms/{term.slug}/forms/participant/ranking"

    everyone = call(people["organizer"], "get", url)
    intro = call(people["organizer"], "get", f"{url}?track=intro")
    unknown_key = call(people["organizer"], "get", f"{url}?colour=blue")
    unknown_value = call(people["organizer"], "get", f"{url}?track=expert")

    rows = everyone.json()["rows"]
    assert everyone.status_code == 200
    assert [row["applicant"]["email"] for row in rows] == [
        "high@example.org",
        "low@example.org",
        "unreviewed@example.org",
    ]
    assert [row["rank"] for row in rows] == [1, 2, 3]
    assert rows[0]["score"] == 100.0 and rows[2]["score"] is None
    assert rows[0]["answers"] == {"track": "advanced"}
    assert [row["application_id"] for row in intro.json()["rows"]] == [low.pk, unreviewed.pk]
    assert [f["selected"] for f in intro.json()["filters"]] == ["intro"]
    assert unknown_key.status_code == 400 and "colour" in unknown_key.json()["field_errors"]
    assert unknown_value.status_code == 400 and "track" in unknown_value.json()["field_errors"]


def test_csv_export_is_spreadsheet_safe_and_filtered_like_the_ranking(call, people, form, term):
    _apply(form, "formula@example.org", name='=HYPERLINK("http://x")', motivation="-5")
    _apply(form, "advanced@example.org", track="advanced", motivation="@SUM(A1)")
    url = f"/terms/{term.slug}/forms/participant/ranking.csv"

    response = call(people["organizer"], "get", url)
    filtered = call(people["organizer"], "get", f"{url}?track=intro")
    refused = call(people["organizer"], "get", f"{url}?track=expert")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_email = {row["email"]: row for row in rows}
    assert by_email["formula@example.org"]["name"] == '\'=HYPERLINK("http://x")'
    assert by_email["formula@example.org"]["motivation"] == "-5"  # a number stays a number
    assert by_email["advanced@example.org"]["motivation"] == "'@SUM(A1)"
    assert by_email["formula@example.org"]["secret"] == "hidden text"  # organizers: every answer
    filtered_rows = list(csv.DictReader(io.StringIO(b"".join(filtered.streaming_content).decode())))
    assert [row["email"] for row in filtered_rows] == ["formula@example.org"]
    assert refused.status_code == 400


@pytest.fixture
def decided(form, tracks):
    """Four applicants; nothing staged yet."""
    return {
        name: _apply(form, f"{name}@example.org", name=name.title())
        for name in ("accepted", "first", "second", "rejected")
    }


def _stage(call, organizer, term, application, **body):
    return call(
        organizer,
        "put",
        f"/terms/{term.slug}/forms/participant/decisions/{application.pk}",
        data=body,
    )


def test_staging_validates_like_the_page(call, people, decided, term):
    organizer = people["organizer"]
    application = decided["accepted"]

    no_outcome = _stage(call, organizer, term, application)
    no_track = _stage(call, organizer, term, application, outcome="accept")
    unknown_track = _stage(call, organizer, term, application, outcome="accept", track="expert")
    no_rank = _stage(call, organizer, term, application, outcome="waitlist", track="intro")
    missing = call(
        organizer,
        "put",
        f"/terms/{term.slug}/forms/participant/decisions/999999",
        data={"outcome": "reject"},
    )
    assert not Decision.objects.exists()

    staged = _stage(call, organizer, term, application, outcome="accept", track="intro")
    restaged = _stage(call, organizer, term, application, outcome="waitlist", waitlist_rank=3)

    assert no_outcome.status_code == 400 and "outcome" in no_outcome.json()["field_errors"]
    assert no_track.status_code == 400 and "track" in no_track.json()["detail"]
    assert unknown_track.status_code == 400
    assert set(unknown_track.json()["field_errors"]["track"][8:-1].split(", ")) == {
        "intro",
        "advanced",
    }
    assert no_rank.status_code == 400 and "waitlist_rank" in no_rank.json()["field_errors"]
    assert missing.status_code == 404
    assert staged.status_code == 200
    assert staged.json()["outcome"] == "accept" and staged.json()["track"] == "intro"
    assert staged.json()["released_at"] is None
    assert restaged.json() | {"staged_at": None} == {
        "outcome": "waitlist",
        "track": None,
        "waitlist_rank": 3,
        "staged_at": None,
        "released_at": None,
    }


def test_release_queues_one_email_per_person_and_again_none(
    call, people, decided, term, django_capture_on_commit_callbacks
):
    organizer = people["organizer"]
    _stage(call, organizer, term, decided["accepted"], outcome="accept", track="intro")
    _stage(
        call, organizer, term, decided["first"], outcome="waitlist", track="intro", waitlist_rank=1
    )
    _stage(
        call, organizer, term, decided["second"], outcome="waitlist", track="intro", waitlist_rank=2
    )
    _stage(call, organizer, term, decided["rejected"], outcome="reject")
    ranking = call(organizer, "get", f"/terms/{term.slug}/forms/participant/ranking").json()
    url = f"/terms/{term.slug}/forms/participant/decisions/release"

    with django_capture_on_commit_callbacks(execute=True):
        first = call(organizer, "post", url, data={})
    with django_capture_on_commit_callbacks(execute=True):
        again = call(organizer, "post", url, data={})
    restage = _stage(call, organizer, term, decided["rejected"], outcome="accept", track="intro")

    assert ranking["pending_release"] == 4
    assert first.status_code == 200
    assert first.json() == {"released": 4, "emails_queued": 4, "pending_release": 0}
    assert again.json() == {"released": 0, "emails_queued": 0, "pending_release": 0}
    recipients = sorted(OutboundEmail.objects.values_list("to", flat=True))
    assert recipients == sorted(f"{name}@example.org" for name in decided)
    assert restage.status_code == 409
    assert Decision.objects.get(application=decided["rejected"]).outcome == "reject"


def test_release_after_the_confirmation_deadline_is_refused(call, people, decided, term, form):
    form.confirmation_deadline = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    form.save()
    _stage(call, people["organizer"], term, decided["accepted"], outcome="accept", track="intro")

    response = call(
        people["organizer"],
        "post",
        f"/terms/{term.slug}/forms/participant/decisions/release",
        data={},
    )

    assert response.status_code == 409 and "confirmation deadline" in response.json()["detail"]
    assert Decision.objects.get().released_at is None
    assert not OutboundEmail.objects.exists()


# Applicants --------------------------------------------------------------------------------


def test_applicant_reads_declines_and_the_top_of_the_waitlist_is_offered(
    call, people, decided, term, form
):
    organizer = people["organizer"]
    accepted = decided["accepted"].applicant
    first = decided["first"].applicant
    mine = f"/terms/{term.slug}/forms/participant/decision"
    _stage(call, organizer, term, decided["accepted"], outcome="accept", track="intro")
    _stage(
        call, organizer, term, decided["second"], outcome="waitlist", track="intro", waitlist_rank=2
    )
    _stage(
        call, organizer, term, decided["first"], outcome="waitlist", track="intro", waitlist_rank=1
    )
    _stage(call, organizer, term, decided["rejected"], outcome="reject")

    staged_only = call(accepted, "get", mine).json()
    call(organizer, "post", f"/terms/{term.slug}/forms/participant/decisions/release", data={})
    offered = call(accepted, "get", mine).json()
    rejected = call(decided["rejected"].applicant, "get", mine).json()
    declined = call(accepted, "post", f"{mine}/decline", data={})
    declined_again = call(accepted, "post", f"{mine}/decline", data={})
    confirm_after_decline = call(accepted, "post", f"{mine}/confirm", data={})
    top = call(first, "get", mine).json()
    no_application = call(people["participant"], "get", mine)

    assert staged_only == {
        "application_status": "submitted",
        "decision": None,
        "enrollment": None,
    }
    assert offered["decision"]["outcome"] == "accept"
    assert offered["decision"]["staged_at"] is None  # the applicant sees the release only
    assert offered["enrollment"]["status"] == "offered" and offered["enrollment"]["can_answer"]
    assert rejected["decision"]["outcome"] == "reject" and rejected["enrollment"] is None
    assert declined.status_code == 200 and declined.json()["enrollment"]["status"] == "declined"
    assert declined_again.status_code == 200
    assert confirm_after_decline.status_code == 409
    assert top["enrollment"]["status"] == "offered" and top["enrollment"]["track"] == "intro"
    assert Enrollment.objects.get(user=decided["second"].applicant).status == "waitlisted"
    assert OutboundEmail.objects.filter(to=first.email, subject__startswith="A place").count() == 1
    assert no_application.status_code == 404


def test_confirming_in_time_and_too_late(call, people, decided, term, form):
    organizer = people["organizer"]
    _stage(call, organizer, term, decided["accepted"], outcome="accept", track="intro")
    _stage(call, organizer, term, decided["first"], outcome="accept", track="intro")
    call(organizer, "post", f"/terms/{term.slug}/forms/participant/decisions/release", data={})
    mine = f"/terms/{term.slug}/forms/participant/decision"
    Enrollment.objects.filter(user=decided["first"].applicant).update(
        confirm_by=timezone.now() - dt.timedelta(seconds=1)
    )

    confirmed = call(decided["accepted"].applicant, "post", f"{mine}/confirm", data={})
    late = call(decided["first"].applicant, "post", f"{mine}/confirm", data={})
    nothing_offered = call(decided["second"].applicant, "post", f"{mine}/confirm", data={})

    assert confirmed.status_code == 200
    assert confirmed.json()["enrollment"]["status"] == "confirmed"
    assert late.status_code == 403 and "ended" in late.json()["detail"]
    assert Enrollment.objects.get(user=decided["first"].applicant).status == "offered"
    assert nothing_offered.status_code == 404  # never decided: no offer to answer


def test_release_with_the_expected_count_goes_ahead_and_a_changed_count_sends_nothing(
    call, people, decided, term, django_capture_on_commit_callbacks
):
    organizer = people["organizer"]
    _stage(call, organizer, term, decided["accepted"], outcome="accept", track="intro")
    _stage(call, organizer, term, decided["rejected"], outcome="reject")
    url = f"/terms/{term.slug}/forms/participant/decisions/release"

    stale = call(organizer, "post", url, data={"expected_count": 1})
    negative = call(organizer, "post", url, data={"expected_count": -1})
    with django_capture_on_commit_callbacks(execute=True):
        matching = call(organizer, "post", url, data={"expected_count": 2})

    assert stale.status_code == 409
    assert "2 staged decision(s) would be released now" in stale.json()["detail"]
    assert stale.json()["field_errors"] == {"expected_count": "2 staged decision(s) now."}
    assert negative.status_code == 400 and "expected_count" in negative.json()["field_errors"]
    assert matching.status_code == 200
    assert matching.json() == {"released": 2, "emails_queued": 2, "pending_release": 0}
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "accepted@example.org",
        "rejected@example.org",
    ]


def test_release_with_a_changed_count_releases_nothing(call, people, decided, term):
    organizer = people["organizer"]
    _stage(call, organizer, term, decided["accepted"], outcome="accept", track="intro")

    response = call(
        organizer,
        "post",
        f"/terms/{term.slug}/forms/participant/decisions/release",
        data={"expected_count": 3},
    )

    assert response.status_code == 409
    assert Decision.objects.get().released_at is None
    assert not OutboundEmail.objects.exists()


def test_release_without_a_body_releases_every_staged_decision(call, people, decided, term, client):
    organizer = people["organizer"]
    _stage(call, organizer, term, decided["accepted"], outcome="accept", track="intro")
    token = api_token_create(user=organizer)

    response = client.generic(
        "POST",
        f"/api/v1/terms/{term.slug}/forms/participant/decisions/release",
        b"",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["released"] == 1


def test_the_openapi_document_describes_the_expected_count(client):
    document = client.get("/api/v1/openapi.json").json()

    route = document["paths"]["/api/v1/terms/{slug}/forms/{kind}/decisions/release"]["post"]

    assert "expected_count" in route["description"]
    assert route["requestBody"]["required"] is False
