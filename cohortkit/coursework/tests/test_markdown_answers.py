"""Answers are capped at a length a person writes and rendered once, when submitted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cohortkit.common.markdown import MAX_MARKDOWN_CHARACTERS
from cohortkit.coursework import services
from cohortkit.coursework.models import Submission, SubmissionVersion
from cohortkit.coursework.tests import test_pages as pages

pytestmark = pytest.mark.django_db

# The week-3 curriculum and the participant of the coursework page tests.
tracks, week3, participant = pages.tracks, pages.week3, pages.participant

TOO_LONG = "word " * (MAX_MARKDOWN_CHARACTERS // 5) + "!"


def test_an_answer_over_the_cap_is_refused_with_a_clear_error_and_nothing_saved(
    client_as, term, week3
):
    submit = reverse("coursework:assignment_submit", args=[term.slug, week3["assignment"].pk])

    response = client_as("participant").post(submit, {"answer-body": TOO_LONG, "revision": "0"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "An answer can be at most 20,000 characters; this one has 20,001." in page
    assert 'data-testid="error-body">Too long: 20,001 of at most 20,000 characters.' in page
    assert TOO_LONG in page  # the text stays in the box to be shortened
    assert not SubmissionVersion.objects.exists()
    assert not Submission.objects.filter(draft_markdown=TOO_LONG).exists()


def test_a_draft_over_the_cap_says_so_in_the_save_status(client_as, term, week3):
    save = reverse("coursework:assignment_save", args=[term.slug, week3["assignment"].pk])

    response = client_as("participant").post(save, {"answer-body": TOO_LONG, "revision": "0"})

    assert response.status_code == 400
    assert "at most 20,000 characters; this one has 20,001" in response.content.decode()


def test_an_answer_at_the_cap_is_accepted(week3, participant):
    text = ("x" * 99 + "\n") * (MAX_MARKDOWN_CHARACTERS // 100)

    submitted = services.submission_submit(
        assignment=week3["assignment"], user=participant, body_markdown=text
    )

    assert len(submitted.version.body_markdown) == MAX_MARKDOWN_CHARACTERS


def test_the_answer_is_rendered_once_when_submitted_and_pages_show_the_stored_html(
    client_as, term, week3, participant, sections
):
    version = services.submission_submit(
        assignment=week3["assignment"],
        user=participant,
        body_markdown='**Bold** [link](https://example.org) <script>alert("x")</script>',
    ).version
    assert version.body_html == (
        '<p><strong>Bold</strong> <a href="https://example.org" '
        'rel="noopener noreferrer nofollow">link</a> </p>\n'
    )
    # The pages show what was stored, not a fresh rendering of the Markdown...
    SubmissionVersion.objects.filter(pk=version.pk).update(
        body_html="<p>Stored <em>once</em></p><script>x()</script>"
    )

    mine = client_as("participant").get(pages._assignment_url(term, week3["assignment"]))
    reviews = client_as("facilitator").get(pages._reviews_url(term, sections["a"]))

    for page in (mine.content.decode(), reviews.content.decode()):
        assert "<p>Stored <em>once</em></p>" in page
        assert "<strong>Bold</strong>" not in page
        assert "x()" not in page  # ...sanitised again on the way out


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_versions_submitted_before_it(week3, participant):
    services.submission_submit(
        assignment=week3["assignment"], user=participant, body_markdown="Old *answer*"
    )
    executor = MigrationExecutor(connection)
    before = [("coursework", "0002_submissions_and_feedback")]
    after = [("coursework", "0003_submission_version_body_html")]
    executor.migrate(before)
    try:
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert SubmissionVersion.objects.get().body_html == "<p>Old <em>answer</em></p>\n"
