import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.tests.factories import LectureFactory, ReadingFactory, TrackFactory, WeekFactory

pytestmark = pytest.mark.django_db


def test_program_page_shows_deadline_in_the_visitors_zone_with_offset(client, term):
    TrackFactory(term=term, slug="intro", name="Introductory", audience="New to ML safety")
    week = WeekFactory(term=term, number=1, title="Background")
    LectureFactory(week=week, title="Introduction", minutes=30)
    client.cookies["tz"] = "Asia/Kolkata"

    response = client.get(reverse("programs:term_detail", args=[term.slug]))

    html = response.content.decode()
    # 2022-09-22 06:59 UTC is 12:29 in India (UTC+05:30).
    assert "Thu, 22 Sep 2022, 12:29 UTC+05:30" in html
    assert "Introductory track" in html
    assert "Week 1: Background" in html


def test_apply_buttons_become_a_closed_notice_after_the_deadline(client, term):
    response = client.get(reverse("programs:term_detail", args=[term.slug]))

    html = response.content.decode()
    assert "Participant applications closed on" in html
    assert "Apply as a participant" not in html


def test_unpublished_term_is_hidden_from_the_public(client, term):
    term.is_published = False
    term.save()

    response = client.get(reverse("programs:term_detail", args=[term.slug]))

    assert response.status_code == 404


def test_deadline_still_open_before_and_closed_at_the_instant(term):
    from cohortkit.programs.selectors import term_applications_open

    deadline = term.participant_deadline
    assert term_applications_open(
        term=term, kind="participant", now=deadline - dt.timedelta(seconds=1)
    )
    assert not term_applications_open(term=term, kind="participant", now=deadline)


def _build_curriculum(term, weeks: int) -> None:
    intro = TrackFactory(term=term, slug="intro", name="Introductory")
    advanced = TrackFactory(term=term, slug="advanced", name="Advanced")
    for number in range(1, weeks + 1):
        week = WeekFactory(term=term, number=number)
        for _ in range(3):
            LectureFactory(week=week).tracks.set([intro, advanced])
            ReadingFactory(week=week).tracks.set([advanced])


@pytest.mark.parametrize("weeks", [1, 8])
def test_program_page_query_count_does_not_grow_with_the_curriculum(
    client, term, weeks, django_assert_max_num_queries
):
    _build_curriculum(term, weeks)

    # The same budget for 1 and 8 weeks: the curriculum, the FAQ, the completion rule, money.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("programs:term_detail", args=[term.slug]))

    assert response.content.decode().count('class="week"') == weeks


def test_weekly_commitment_is_the_range_over_tracks_and_weeks(client, term):
    _build_curriculum(term, 2)

    html = client.get(reverse("programs:term_detail", args=[term.slug])).content.decode()

    # Lectures: 3 × 25 min = 75 min → 1.5 h for both tracks; readings: 0 (intro) to 2 h (advanced).
    assert "<span>Lectures</span><strong>1.5 h</strong>" in html
    assert "<span>Readings</span><strong>2 h</strong>" in html
    assert "<span>Discussion section</span><strong>1 h</strong>" in html


def test_the_zone_the_browser_reports_is_read_percent_encoded(client, term):
    client.cookies["tz"] = "America%2FNew_York"

    html = client.get(reverse("programs:term_detail", args=[term.slug])).content.decode()

    assert 'data-time-zone-known="true"' in html
    assert "Thu, 22 Sep 2022, 02:59 UTC−04:00" in html


def test_signed_in_people_find_their_own_pages_from_the_program_page(client_as, term):
    from cohortkit.tests.factories import ApplicationFormFactory

    ApplicationFormFactory(term=term, kind="participant")
    url = reverse("programs:term_detail", args=[term.slug])

    organizer = client_as("organizer").get(url).content.decode()
    reviewer = client_as("reviewer").get(url).content.decode()
    visitor = client_as("anonymous").get(url).content.decode()

    assert "Organize this term" in organizer
    assert reverse("organize:home", args=[term.slug]) in organizer
    assert "Applications to review" in reviewer and "Organize this term" not in reviewer
    assert "Your part in this term" not in visitor
