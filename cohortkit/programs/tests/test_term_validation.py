"""The term's rules hold the same way on both paths: the settings form and the YAML loader.

Each case below is one the two paths used to disagree on (the form refused 50-minute meetings
and more completion meetings than weeks, the loader took them; the loader refused a deadline
after midnight UTC of the first day in a zone west of UTC, the form took it).
"""

import pytest
from django.urls import reverse

from cohortkit.programs.models import Term
from cohortkit.programs.term_loader import TermFileError, term_load
from cohortkit.programs.tests.test_term_settings import _valid_post

pytestmark = pytest.mark.django_db

# A term like the ``term`` fixture's: Los Angeles, Sep 26 – Nov 18 2022 (8 weeks).
TERM_FILE = """\
program:
  slug: example-course
  name: Example course
term:
  slug: example-fall
  name: Fall
  time_zone: America/Los_Angeles
  starts_on: 2022-09-26
  ends_on: 2022-11-18
  deadline_time_zone: UTC
  participant_deadline: "2022-09-21 12:00"
  facilitator_deadline: "2022-09-18 12:00"
"""

CASES = [
    pytest.param(
        {"meeting_minutes": "50"},
        "  meeting_minutes: 50\n",
        "meeting_minutes",
        "meeting_minutes",
        "Use a multiple of 15 minutes, e.g. 60 or 90.",
        id="meeting-length-not-a-multiple-of-15",
    ),
    pytest.param(
        {"completion_min_meetings": "12"},
        "  completion_min_meetings: 12\n",
        "completion_min_meetings",
        "completion_min_meetings",
        "The term has only 8 weeks.",
        id="more-meetings-to-attend-than-weeks",
    ),
    pytest.param(
        {
            "deadline_time_zone": "UTC",
            "participant_deadline_date": "2022-09-26",
            "participant_deadline_time": "03:00",
        },
        None,
        "participant_deadline_date",
        "participant_deadline",
        "must close before the term starts on 2022-09-26, got 2022-09-26 03:00 UTC",
        id="deadline-after-midnight-utc-of-the-first-day",
    ),
]


@pytest.mark.parametrize(
    ("form_changes", "file_line", "form_field", "file_field", "message"), CASES
)
def test_the_settings_form_and_the_term_file_refuse_the_same_term(
    client_as, term, form_changes, file_line, form_field, file_field, message
):
    before = Term.objects.values().get(pk=term.pk)
    response = client_as("organizer").post(
        reverse("programs:term_settings", args=[term.slug]), _valid_post(term, **form_changes)
    )
    text = (
        TERM_FILE + file_line
        if file_line
        else TERM_FILE.replace('"2022-09-21 12:00"', '"2022-09-26 03:00"')
    )
    with pytest.raises(TermFileError) as refused:
        term_load(text=text)

    assert response.status_code == 400
    assert response.context["form"].errors[form_field] == [message]
    assert Term.objects.values().get(pk=term.pk) == before
    assert len(refused.value.messages) == 1
    assert refused.value.messages[0].endswith(f"term.{file_field}: {message}")
    assert not Term.objects.filter(slug="example-fall").exists()
