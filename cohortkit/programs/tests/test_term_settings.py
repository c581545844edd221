import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.common.models import AuditEvent
from cohortkit.programs.forms import TermSettingsForm
from cohortkit.programs.models import Term

pytestmark = pytest.mark.django_db


def _valid_post(term: Term, **changes: str) -> dict[str, str]:
    initial = TermSettingsForm.initial_for(term)
    data = {
        key: ("on" if value is True else "" if value is False or value is None else str(value))
        for key, value in initial.items()
    }
    data = {key: value for key, value in data.items() if value != ""} | changes
    return data


@pytest.fixture
def organizer_client(client_as):
    return client_as("organizer")


def test_settings_page_round_trips_the_current_values(organizer_client, term):
    response = organizer_client.get(reverse("programs:term_settings", args=[term.slug]))

    form = response.context["form"]
    assert form.initial["participant_deadline_date"] == dt.date(2022, 9, 21)
    assert form.initial["participant_deadline_time"] == dt.time(23, 59)
    assert form.initial["stipend_amount"] == "1000.00"


def test_saving_a_new_deadline_in_another_zone_stores_the_utc_instant(organizer_client, term):
    data = _valid_post(
        term,
        deadline_time_zone="Europe/Berlin",
        participant_deadline_date="2022-09-20",
        participant_deadline_time="18:00",
    )

    response = organizer_client.post(reverse("programs:term_settings", args=[term.slug]), data)

    assert response.status_code == 302
    term.refresh_from_db()
    # 18:00 in Berlin on Sep 20, 2022 is CEST (UTC+2): 16:00 UTC.
    assert term.participant_deadline == dt.datetime(2022, 9, 20, 16, 0, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="term.settings_updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2022-09-01"}, "ends_on", "The last day must come after the first day."),
        (
            {"section_size_min": "9", "section_size_max": "4"},
            "section_size_max",
            "cannot be smaller than the smallest",
        ),
        ({"section_size_min": "0"}, "section_size_min", "greater than or equal to 1"),
        ({"meeting_minutes": "50"}, "meeting_minutes", "multiple of 15"),
        ({"stipend_amount": "-5"}, "stipend_amount", "cannot be negative"),
        ({"stipend_amount": "10.005"}, "stipend_amount", "two decimal places"),
        ({"stipend_amount": "lots"}, "stipend_amount", "for example 1000"),
        ({"stipend_currency": "U$D"}, "stipend_currency", "not an ISO 4217 currency code"),
        ({"stipend_currency": "XYZ"}, "stipend_currency", "“XYZ” is not an ISO 4217"),
        ({"stipend_currency": "dollars"}, "stipend_currency", "“dollars” is not an ISO 4217"),
        (
            {"stipend_currency": "JPY", "stipend_amount": "1000.50"},
            "stipend_amount",
            "JPY has no minor unit",
        ),
        (
            {"stipend_currency": "KWD", "facilitator_rate": "30.1234"},
            "facilitator_rate",
            "three decimal places (KWD)",
        ),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        (
            {"participant_deadline_date": "2022-09-30"},
            "participant_deadline_date",
            "must close before the term starts",
        ),
        ({"completion_min_meetings": "12"}, "completion_min_meetings", "only 8 weeks"),
        ({"starts_on": "not a date"}, "starts_on", "Enter a valid date"),
    ],
)
def test_invalid_settings_are_explained_next_to_the_field_and_nothing_is_saved(
    organizer_client, term, changes, field, message
):
    before = Term.objects.values().get(pk=term.pk)
    data = _valid_post(term, name="Renamed", **changes)

    response = organizer_client.post(reverse("programs:term_settings", args=[term.slug]), data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert f'id="id_{field}-error"' in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert Term.objects.values().get(pk=term.pk) == before
    assert not AuditEvent.objects.exists()


def test_anywhere_on_earth_deadline_is_the_end_of_the_date_at_utc_minus_12(
    organizer_client, term, client
):
    data = _valid_post(
        term,
        deadline_time_zone="Etc/GMT+12",
        participant_deadline_date="2022-09-21",
        participant_deadline_time="09:00",  # ignored: AoE means the whole date
    )

    organizer_client.post(reverse("programs:term_settings", args=[term.slug]), data)

    term.refresh_from_db()
    assert term.participant_deadline == dt.datetime(2022, 9, 22, 12, 0, tzinfo=dt.UTC)
    form = TermSettingsForm(initial=TermSettingsForm.initial_for(term))
    assert form.initial["participant_deadline_date"] == dt.date(2022, 9, 21)


def test_anywhere_on_earth_open_at_the_last_second_closed_one_second_later(term, client):
    from cohortkit.common.timezones import ANYWHERE_ON_EARTH, end_of_day
    from cohortkit.programs.selectors import term_applications_open

    term.participant_deadline = end_of_day(dt.date(2022, 9, 21), ANYWHERE_ON_EARTH)
    term.deadline_time_zone = ANYWHERE_ON_EARTH
    term.save()
    last_second = dt.datetime(2022, 9, 21, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12)))

    assert term_applications_open(term=term, kind="participant", now=last_second)
    assert not term_applications_open(
        term=term, kind="participant", now=last_second + dt.timedelta(seconds=1)
    )


def test_database_refuses_a_deadline_after_the_start_even_without_the_form(term):
    from django.db import IntegrityError, transaction

    term.participant_deadline = dt.datetime(2022, 10, 1, tzinfo=dt.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.filter(pk=term.pk).update(participant_deadline=term.participant_deadline)
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.filter(pk=term.pk).update(section_size_min=9, section_size_max=4)


def test_the_currency_field_lets_a_wrong_code_through_to_be_explained(organizer_client, term):
    """A ``maxlength="3"`` would make the browser cut "dollars" to "dol" without a word."""
    response = organizer_client.get(reverse("programs:term_settings", args=[term.slug]))

    field_html = str(response.context["form"]["stipend_currency"])
    assert 'maxlength="3"' not in field_html
    data = _valid_post(term, stipend_currency="dollars")
    response = organizer_client.post(reverse("programs:term_settings", args=[term.slug]), data)
    assert "“dollars” is not an ISO 4217 currency code" in response.content.decode()


def test_publishing_from_the_settings_records_the_state_event(organizer_client, term):
    Term.objects.filter(pk=term.pk).update(is_published=False)
    term.refresh_from_db()

    response = organizer_client.post(
        reverse("programs:term_settings", args=[term.slug]), _valid_post(term, is_published="on")
    )

    assert response.status_code == 302
    term.refresh_from_db()
    assert term.is_published
    actions = AuditEvent.objects.filter(action__startswith="term.").order_by("pk")
    assert list(actions.values_list("action", flat=True)) == [
        "term.settings_updated",
        "term.published",
    ]


def test_a_started_term_cannot_go_back_to_draft_from_the_settings(organizer_client, term):
    data = _valid_post(term)
    data.pop("is_published")

    response = organizer_client.post(reverse("programs:term_settings", args=[term.slug]), data)

    assert response.status_code == 400
    assert "Only a published term that has not started can go back to draft." in (
        response.content.decode()
    )
    term.refresh_from_db()
    assert term.is_published
    assert not AuditEvent.objects.exists()
