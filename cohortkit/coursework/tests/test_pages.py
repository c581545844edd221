"""The coursework pages as each person uses them: the week, an answer, the review, due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.common.timezones import format_instant
from cohortkit.coursework import services
from cohortkit.coursework.due import due_override_set, term_due_at
from cohortkit.coursework.models import (
    DueDateOverride,
    Feedback,
    ItemCompletion,
    Submission,
    SubmissionVersion,
)
from cohortkit.coursework.tests.factories import AssignmentFactory, QuizFactory
from cohortkit.programs.models import Track, Week
from cohortkit.programs.selectors import term_current_week
from cohortkit.tests.factories import LectureFactory, ReadingFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("stolen")</script>'


@pytest.fixture
def tracks(sections):
    intro = sections["a"].track
    return {"intro": intro, "advanced": Track.objects.get(term=intro.term, slug="advanced")}


@pytest.fixture
def week3(term, tracks):
    """Week 3 with a lecture for both tracks, a required reading for both, an optional reading
    for the advanced track only, the written assignment and a quiz."""
    week = Week.objects.create(term=term, number=3, title="Robustness")
    both = list(tracks.values())
    lecture = LectureFactory(week=week, title="Adversarial Robustness", minutes=45)
    lecture.tracks.set(both)
    required = ReadingFactory(week=week, title="Towards Deep Learning Models Resistant", minutes=50)
    required.tracks.set(both)
    advanced_only = ReadingFactory(
        week=week, title="The Many Faces of Robustness", minutes=40, required=False
    )
    advanced_only.tracks.set([tracks["advanced"]])
    assignment = AssignmentFactory(week=week, title="Week 3 reflection", prompt="Design *it*.")
    assignment.tracks.set(both)
    quiz = QuizFactory(week=week, title="Week 3 quiz")
    quiz.tracks.set(both)
    return {
        "week": week,
        "lecture": lecture,
        "required": required,
        "advanced_only": advanced_only,
        "assignment": assignment,
        "quiz": quiz,
    }


@pytest.fixture
def participant(people):
    participant = people["participant"]
    participant.time_zone = "Asia/Kolkata"
    participant.save()
    return participant


def _week_url(term, number=3):
    return reverse("coursework:week", args=[term.slug, number])


def _assignment_url(term, assignment):
    return reverse("coursework:assignment", args=[term.slug, assignment.pk])


def _reviews_url(term, section, week=3):
    return reverse("coursework:section_reviews", args=[term.slug, section.pk]) + f"?week={week}"


def test_the_participant_sees_their_tracks_items_their_due_dates_and_meeting(
    client_as, term, week3, participant, people, sections
):
    section_due = dt.datetime(2022, 10, 19, 12, 0, tzinfo=dt.UTC)
    due_override_set(
        item=week3["assignment"],
        section=sections["a"],
        due=section_due,
        actor=people["organizer"],
    )

    page = client_as("participant").get(_week_url(term)).content.decode()

    assert "Adversarial Robustness" in page
    assert "Towards Deep Learning Models Resistant" in page
    assert "The Many Faces of Robustness" not in page  # the advanced track's reading
    assert "Introductory track" in page
    # My due dates, in my zone: the section's date for the assignment, the term's for the quiz.
    assert format_instant(section_due, "Asia/Kolkata") in page
    assert "your section&#x27;s date" in page or "your section's date" in page
    assert format_instant(term_due_at(week3["quiz"]), "Asia/Kolkata") in page
    # My section's meeting of week 3, Monday 10 Oct 2022 18:00 in New York, is Tuesday for me.
    assert "Tue, 11 Oct 2022, 03:30 UTC+05:30" in page
    assert "https://meet.example.org/a" in page
    assert "meet.example.org/b" not in page


def test_an_organizer_sees_every_tracks_items_with_their_tags(client_as, term, week3):
    page = client_as("organizer").get(_week_url(term)).content.decode()

    assert "The Many Faces of Robustness" in page
    assert "Advanced only" in page
    assert "You are not in a discussion section this week." in page


def test_a_facilitator_is_led_from_the_week_to_their_sections_homework(
    client_as, term, week3, sections
):
    page = client_as("facilitator").get(_week_url(term)).content.decode()

    assert f'href="{_reviews_url(term, sections["a"])}"' in page
    assert "Homework of Introductory A" in page
    assert "Homework of Introductory B" not in page
    assert "You are not in a discussion section" not in page


def test_a_personal_extension_is_named_on_the_week_page(
    client_as, term, week3, participant, people
):
    extension = dt.datetime(2022, 10, 25, 6, 0, tzinfo=dt.UTC)
    due_override_set(item=week3["quiz"], user=participant, due=extension, actor=people["organizer"])

    page = client_as("participant").get(_week_url(term)).content.decode()

    assert format_instant(extension, "Asia/Kolkata") in page
    assert "your personal extension" in page


def test_the_quiz_is_linked_only_once_the_quizzes_app_has_its_page(client_as, term, week3):
    from django.urls import NoReverseMatch

    page = client_as("participant").get(_week_url(term)).content.decode()

    try:
        url = reverse("quizzes:take", args=[term.slug, week3["quiz"].pk])
    except NoReverseMatch:
        assert "The quiz opens here soon." in page
    else:
        assert f'href="{url}"' in page


def test_ticking_without_javascript_redirects_back_and_htmx_swaps_the_item(
    client_as, term, week3, participant
):
    client = client_as("participant")
    url = reverse("coursework:item_done", args=[term.slug, 3])
    reading = week3["required"]

    plain = client.post(url, {"kind": "reading", "item": reading.pk, "done": "1"})
    assert plain.status_code == 302
    assert plain["Location"].endswith(f"/week/3/#reading-{reading.pk}")
    assert (
        f'aria-label="Done: {reading.title} (select to undo)"'
        in client.get(_week_url(term)).content.decode()
    )

    swapped = client.post(
        url, {"kind": "reading", "item": reading.pk, "done": "0"}, headers={"HX-Request": "true"}
    )
    assert swapped.status_code == 200
    assert swapped.content.decode().lstrip().startswith(f'<li id="reading-{reading.pk}"')
    assert "Mark done" in swapped.content.decode()
    assert not ItemCompletion.objects.exists()


def test_another_tracks_item_or_another_weeks_cannot_be_ticked(client_as, term, week3):
    client = client_as("participant")
    url = reverse("coursework:item_done", args=[term.slug, 3])

    other_track = client.post(
        url, {"kind": "reading", "item": week3["advanced_only"].pk, "done": "1"}
    )
    wrong_week = client.post(
        reverse("coursework:item_done", args=[term.slug, 4]),
        {"kind": "lecture", "item": week3["lecture"].pk, "done": "1"},
    )

    assert (other_track.status_code, wrong_week.status_code) == (404, 404)
    assert not ItemCompletion.objects.exists()


def test_a_week_outside_the_term_is_404(client_as, term):
    assert client_as("participant").get(_week_url(term, 9)).status_code == 404


def test_this_week_is_by_the_terms_dates():
    from cohortkit.tests.factories import TermFactory

    term = TermFactory.build()  # Mon 26 Sep – Fri 18 Nov 2022, Los Angeles

    def at(text):
        return term_current_week(term, dt.datetime.fromisoformat(text))

    assert at("2022-09-01T12:00:00+00:00") == 1
    assert at("2022-10-10T06:59:00+00:00") == 2  # still Sunday 9 Oct in Los Angeles
    assert at("2022-10-10T07:00:00+00:00") == 3
    assert at("2023-01-01T00:00:00+00:00") == 8


def test_home_sends_members_to_this_weeks_page(client_as, term):
    response = client_as("participant").get(reverse("coursework:home", args=[term.slug]))

    assert response["Location"] == _week_url(term, 8)  # the Fall 2022 term is over


def test_writing_saves_drafts_and_a_stale_tab_is_told(client_as, term, week3):
    client = client_as("participant")
    url = reverse("coursework:assignment_save", args=[term.slug, week3["assignment"].pk])

    saved = client.post(url, {"answer-body": "First", "revision": "0"})
    stale = client.post(url, {"answer-body": "Old tab", "revision": "0"})

    assert saved.status_code == 200
    assert "Draft saved" in saved.content.decode()
    assert 'id="revision" value="1"' in saved.content.decode()
    assert stale.status_code == 409
    assert "another window" in stale.content.decode()
    assert Submission.objects.get().draft_markdown == "First"


def test_autosave_after_being_signed_out_says_so_in_place(client, term, week3):
    url = reverse("coursework:assignment_save", args=[term.slug, week3["assignment"].pk])

    response = client.post(url, {"answer-body": "Typed", "revision": "0"})

    assert response.status_code == 401
    assert "kept in this browser" in response.content.decode()


def test_only_participants_hand_in(client_as, term, week3):
    url = reverse("coursework:assignment_submit", args=[term.slug, week3["assignment"].pk])

    response = client_as("facilitator").post(url, {"answer-body": "Mine"})

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_submitting_shows_versions_late_marks_and_sanitised_markdown(client_as, term, week3):
    client = client_as("participant")
    submit = reverse("coursework:assignment_submit", args=[term.slug, week3["assignment"].pk])

    first = client.post(submit, {"answer-body": f"**Bold** idea {SCRIPT}", "revision": "0"})
    client.post(submit, {"answer-body": "Second *version*", "revision": "1"})
    page = client.get(_assignment_url(term, week3["assignment"])).content.decode()

    assert first.status_code == 302
    assert SubmissionVersion.objects.count() == 2
    assert "Version 1" in page and "Version 2" in page
    assert page.count('data-testid="late"') == 2  # Fall 2022 is long past
    assert "<strong>Bold</strong>" in page and "<em>version</em>" in page
    assert SCRIPT not in page
    assert "alert(&quot;stolen&quot;)" not in page.split("</textarea>")[1]
    assert "<em>it</em>" in page  # the prompt is Markdown too


def test_an_empty_submission_is_refused_next_to_the_field(client_as, term, week3):
    submit = reverse("coursework:assignment_submit", args=[term.slug, week3["assignment"].pk])

    response = client_as("participant").post(submit, {"answer-body": "   ", "revision": "0"})

    assert response.status_code == 400
    assert "Write your answer before submitting." in response.content.decode()
    assert 'data-testid="error-body">This is empty.' in response.content.decode()


def test_another_tracks_assignment_does_not_exist_for_the_participant(client_as, term, tracks):
    week = Week.objects.create(term=term, number=2, title="Safety engineering")
    advanced = AssignmentFactory(week=week)
    advanced.tracks.set([tracks["advanced"]])

    assert client_as("participant").get(_assignment_url(term, advanced)).status_code == 404


def _submitted(assignment, participant, text="My answer"):
    return services.submission_submit(
        assignment=assignment, user=participant, body_markdown=text
    ).version


def test_the_facilitators_review_reaches_the_participant(
    client_as, term, week3, participant, sections
):
    version = _submitted(week3["assignment"], participant, f"Answer {SCRIPT}")
    facilitator = client_as("facilitator")
    review_page = facilitator.get(_reviews_url(term, sections["a"])).content.decode()
    assert "1 to review" in review_page
    assert SCRIPT not in review_page

    response = facilitator.post(
        reverse("coursework:feedback_give", args=[term.slug, sections["a"].pk, version.pk]),
        {f"v{version.pk}-verdict": "needs_revision", f"v{version.pk}-comment": "Name a shift."},
    )

    assert response.status_code == 302
    seen = client_as("participant").get(_assignment_url(term, week3["assignment"]))
    assert "Needs revision" in seen.content.decode()
    assert "Name a shift." in seen.content.decode()
    assert "Needs revision" in client_as("participant").get(_week_url(term)).content.decode()


def test_a_review_without_a_reason_is_refused_next_to_the_comment(
    client_as, term, week3, participant, sections
):
    version = _submitted(week3["assignment"], participant)

    response = client_as("facilitator").post(
        reverse("coursework:feedback_give", args=[term.slug, sections["a"].pk, version.pk]),
        {f"v{version.pk}-verdict": "needs_revision", f"v{version.pk}-comment": ""},
    )

    assert response.status_code == 400
    assert "Say what to revise" in response.content.decode()
    assert not Feedback.objects.exists()


def test_another_facilitator_and_organizers_cannot_review(
    client_as, term, week3, participant, sections
):
    version = _submitted(week3["assignment"], participant)
    data = {f"v{version.pk}-verdict": "complete", f"v{version.pk}-comment": ""}
    # The other facilitator through their own section's address: not their member's work.
    through_b = reverse("coursework:feedback_give", args=[term.slug, sections["b"].pk, version.pk])
    through_a = reverse("coursework:feedback_give", args=[term.slug, sections["a"].pk, version.pk])

    assert client_as("facilitator_other_section").post(through_b, data).status_code == 404
    assert client_as("facilitator_other_section").post(through_a, data).status_code == 404
    assert (
        client_as("facilitator_other_section").get(_reviews_url(term, sections["a"])).status_code
        == 404
    )
    assert client_as("organizer").post(through_a, data).status_code == 403
    assert (
        "Needs revision"
        not in client_as("organizer").get(_reviews_url(term, sections["a"])).content.decode()
    )
    assert not Feedback.objects.exists()


def test_the_organizer_sets_a_sections_due_date_in_a_zone(client_as, term, week3, sections):
    url = reverse("coursework:due_dates", args=[term.slug])

    response = client_as("organizer").post(
        url,
        {
            "item": f"assignment-{week3['assignment'].pk}",
            "section": sections["a"].pk,
            "due_date": "2022-10-18",
            "due_time": "23:59",
            "time_zone": "America/New_York",
            "reason": "Holiday",
        },
    )

    assert response.status_code == 302
    override = DueDateOverride.objects.get()
    assert override.due_at == dt.datetime(2022, 10, 19, 3, 59, tzinfo=dt.UTC)
    assert override.section == sections["a"]
    assert "Holiday" in client_as("organizer").get(url).content.decode()


def test_the_due_date_form_shows_errors_next_to_fields(client_as, term, week3, sections):
    url = reverse("coursework:due_dates", args=[term.slug])

    both = client_as("organizer").post(
        url,
        {
            "item": f"quiz-{week3['quiz'].pk}",
            "section": sections["a"].pk,
            "email": "participant@example.org",
            "due_date": "2022-10-18",
            "due_time": "12:00",
            "time_zone": "UTC",
        },
    )
    unknown = client_as("organizer").post(
        url,
        {
            "item": "quiz-999",
            "email": "nobody@example.org",
            "due_date": "",
            "due_time": "12:00",
            "time_zone": "UTC",
        },
    )

    assert both.status_code == unknown.status_code == 400
    assert "Give a section or a participant, not both." in both.content.decode()
    page = unknown.content.decode()
    assert 'id="id_email-error"' in page and "No participant of this term" in page
    assert 'id="id_item-error"' in page
    assert 'id="id_due_date-error"' in page
    assert not DueDateOverride.objects.exists()
