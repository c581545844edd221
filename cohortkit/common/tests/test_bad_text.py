"""Text no database stores and time zones no machine has get a 400 or are ignored, never a 500.

A lone surrogate (``"\\ud800"``) or a NUL in an API answer, a NUL in a query string, a
5,000-character time zone as an answer or as the ``tz`` cookie (issue 8, item 12).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.models import Answer, Application
from cohortkit.common.text import (
    LINE_BREAK_MESSAGE,
    NUL_MESSAGE,
    SURROGATE_MESSAGE,
    one_line,
    text_problem,
)
from cohortkit.common.timezones import is_valid_time_zone
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    TermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONG_ZONE = "Europe/" + "x" * 5000


@pytest.fixture
def open_form(db):
    term = TermFactory(
        slug="open-term",
        starts_on=dt.date(2040, 9, 26),
        ends_on=dt.date(2040, 11, 18),
        participant_deadline=dt.datetime(2040, 9, 20, tzinfo=dt.UTC),
        facilitator_deadline=dt.datetime(2040, 9, 18, tzinfo=dt.UTC),
    )
    form = ApplicationFormFactory(term=term)
    FormQuestionFactory(form=form, key="motivation", type="long_text")
    FormQuestionFactory(form=form, key="zone", type="time_zone")
    return form


@pytest.fixture
def api_put(client):
    token = api_token_create(user=UserFactory(email="ada@example.org"))

    def put(answers):
        # json.dumps writes a lone surrogate as the escape \ud800, as any JSON client may.
        return client.put(
            "/api/v1/terms/open-term/forms/participant/application",
            data=json.dumps({"answers": answers}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return put


@pytest.mark.parametrize(
    ("text", "message"),
    [("I want \ud800 to learn", SURROGATE_MESSAGE), ("I want\x00 to learn", NUL_MESSAGE)],
)
def test_an_api_answer_with_a_lone_surrogate_or_a_nul_is_400_and_stores_nothing(
    open_form, api_put, text, message
):
    response = api_put({"motivation": text})

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"answers.motivation: {message}",
        "field_errors": {"answers.motivation": message},
    }
    assert not Application.objects.exists()
    assert not Answer.objects.exists()


def test_a_5000_character_time_zone_answer_is_an_answer_error_not_a_500(open_form, api_put):
    response = api_put({"zone": LONG_ZONE, "motivation": "To learn."})

    assert response.status_code == 200
    zone = next(answer for answer in response.json()["answers"] if answer["key"] == "zone")
    assert zone["raw"] == LONG_ZONE
    assert zone["error"]


def test_an_api_body_of_the_wrong_shape_is_400_with_where_and_what(open_form, api_put):
    response = api_put(["not", "a", "mapping"])

    assert response.status_code == 400
    assert response.json()["field_errors"]["answers"] == "Input should be a valid dictionary"


def test_a_nul_in_a_query_string_is_400_with_a_message(client):
    response = client.get("/", {"q": "a\x00b"})

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize("cookie", [LONG_ZONE, "x" * 5000, "Asia%2F\x00Tokyo", "../../etc/passwd"])
def test_an_absurd_tz_cookie_is_ignored_on_every_page_even_anonymous(term, cookie):
    client = Client()
    client.cookies["tz"] = cookie

    home = client.get(reverse("programs:home"))
    term_page = client.get(reverse("programs:term_detail", args=[term.slug]))

    assert home.status_code == 200
    assert term_page.status_code == 200
    assert "UTC+00:00" in term_page.content.decode()  # the fallback zone, offset shown


@pytest.mark.parametrize("name", [LONG_ZONE, "x" * 5000, "Asia/\x00", "/etc/passwd", "\ud800"])
def test_is_valid_time_zone_answers_false_and_never_raises(name):
    assert is_valid_time_zone(name) is False


def test_text_problem_names_each_problem():
    assert text_problem("fine text") is None
    assert text_problem("a\x00b") == NUL_MESSAGE
    assert text_problem("a\ud800b") == SURROGATE_MESSAGE
    assert (
        text_problem("x" * 11, max_length=10) == "Keep this to 10 characters at most (it has 11)."
    )
    assert text_problem("two\nlines", single_line=True) == LINE_BREAK_MESSAGE
    assert text_problem("two\nlines") is None
    assert one_line(" a\r\n b\tc ") == "a b c"


def test_a_nul_in_an_application_answer_on_the_page_is_refused_and_stores_nothing(open_form):
    from cohortkit.admissions.services.applying import application_save_draft
    from cohortkit.common.errors import ServiceError

    person = UserFactory(email="bea@example.org")

    with pytest.raises(ServiceError) as refused:
        application_save_draft(
            form=open_form, user=person, raw_answers={"motivation": "To\x00 learn"}
        )

    assert refused.value.field_errors == {"motivation": NUL_MESSAGE}
    assert not Application.objects.exists()
    client = Client()
    client.force_login(person)
    page = client.post(
        reverse("admissions:apply_save", args=["open-term", "participant"]),
        {"answer-motivation": "To\x00 learn"},
    )
    assert page.status_code == 400
    assert not Answer.objects.exists()


def test_a_nul_in_an_attendance_note_is_refused_and_records_nothing(client_as, term, sections):
    from cohortkit.sections.models import Attendance

    participant = sections["a"].memberships.get().user

    response = client_as("facilitator").post(
        reverse("sections:attendance", args=[term.slug, sections["a"].pk, 1]),
        {f"status-{participant.pk}": "present", f"note-{participant.pk}": "late\x00"},
    )

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert not Attendance.objects.exists()
