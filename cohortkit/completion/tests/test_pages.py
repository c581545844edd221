"""What people see: progress on the week and term pages, the roster and the overview, the rule
on the program page, the feedback form, its summary, CSV and the facilitators' ratings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.completion import services
from cohortkit.completion.tests.helpers import AFTER_THE_TERM, attend
from cohortkit.sections.models import SectionMembership
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

RATINGS = ("overall", "lectures", "readings", "section", "facilitator")


@pytest.fixture
def rule(term, people):
    return services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 7, "min_assignments": 0}
    )


def test_progress_shows_on_the_week_and_term_pages(term, people, sections, rule, client_as):
    attend(sections["a"], people["participant"], ["present"] * 8)
    client = client_as("participant")

    week = client.get(reverse("coursework:week", args=[term.slug, 8])).content.decode()
    progress = client.get(
        reverse("completion:my_progress", args=[term.slug]), headers={"HX-Request": "true"}
    ).content.decode()
    page = client.get(reverse("programs:term_detail", args=[term.slug])).content.decode()

    assert reverse("completion:my_progress", args=[term.slug]) in week  # loaded by htmx
    assert "You attended 8 of 8 meetings so far; to complete you need 7 of 8." in progress
    assert "<html" not in progress
    assert reverse("completion:my_progress", args=[term.slug]) in page
    assert "attend at least 7 of the 8 discussion meetings" in page


def test_the_roster_and_the_overview_show_each_persons_progress(
    term, people, sections, rule, client_as
):
    attend(sections["a"], people["participant"], ["absent"] * 2)

    roster = client_as("facilitator").get(
        reverse("sections:facilitator_sections", args=[term.slug])
    )
    overview = client_as("organizer").get(
        reverse("coursework:overview", args=[term.slug]) + "?completion=cannot"
    )

    assert "Cannot complete any more" in roster.content.decode()
    text = overview.content.decode()
    assert text.count('data-testid="progress-row"') == 1 and "Cannot complete any more" in text
    on_track = client_as("organizer").get(
        reverse("coursework:overview", args=[term.slug]) + "?completion=on_track"
    )
    assert on_track.content.decode().count('data-testid="progress-row"') == 0


def test_feedback_summary_csv_and_facilitator_ratings_after_three(
    term, people, sections, rule, client_as
):
    form = services.feedback_form_default(term=term)
    members = [people["participant"]]
    for number in range(2):
        user = UserFactory(name=f"Extra {number}")
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
        SectionMembership.objects.create(section=sections["a"], user=user, from_week=1)
        members.append(user)
    for index, user in enumerate(members[:2]):
        answers = dict.fromkeys(RATINGS, str(3 + index)) | {"best": "=HYPERLINK(1)"}
        services.feedback_submit(form=form, user=user, raw_answers=answers, now=AFTER_THE_TERM)

    facilitator = client_as("facilitator").get(
        reverse("completion:section_feedback", args=[term.slug])
    )
    assert "fewer than 3" in facilitator.content.decode()

    services.feedback_submit(
        form=form, user=members[2], raw_answers=dict.fromkeys(RATINGS, "5"), now=AFTER_THE_TERM
    )
    facilitator = client_as("facilitator").get(
        reverse("completion:section_feedback", args=[term.slug])
    )
    summary = client_as("organizer").get(reverse("completion:feedback_summary", args=[term.slug]))
    csv = client_as("organizer").get(reverse("completion:feedback_csv", args=[term.slug]))

    assert "4.0" in facilitator.content.decode()  # (3 + 4 + 5) / 3
    assert "HYPERLINK" not in facilitator.content.decode()  # no free text for facilitators
    assert "4.0" in summary.content.decode() and "=HYPERLINK(1)" in summary.content.decode()
    assert "'=HYPERLINK(1)" in b"".join(csv.streaming_content).decode()


def test_a_refused_feedback_says_why_and_saves_nothing(term, people, sections, client_as):
    services.feedback_form_default(term=term)
    from cohortkit.completion.models import FeedbackResponse

    response = client_as("participant").post(
        reverse("completion:feedback", args=[term.slug]), {"answer-overall": "9"}
    )

    assert response.status_code in (400, 403)
    assert not FeedbackResponse.objects.exists()
