"""Time-zone fields: the organizer's own zone is chosen until they pick another, only current
canonical names are listed and stored, and the footer's pick never rewrites a profile."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from cohortkit.accounts.models import User
from cohortkit.admissions.models import DeadlineExtension
from cohortkit.common.timezones import all_time_zones, canonical_time_zone, time_zone_to_store
from cohortkit.programs.models import Term
from cohortkit.programs.term_loader import TermFileError, term_load
from cohortkit.programs.tests.test_term_loader import SMALL
from cohortkit.tests.factories import ApplicationFormFactory

pytestmark = pytest.mark.django_db


def selected_zone(page: str, name: str) -> str | None:
    """The option a person sees chosen in the select called ``name``."""
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {name}"
    chosen = re.search(r'<option value="([^"]+)"[^>]* selected>', match.group(1))
    return chosen.group(1) if chosen else None


def options(page: str, name: str) -> list[str]:
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert match
    return re.findall(r'<option value="([^"]*)"', match.group(1))


def test_the_list_has_current_canonical_names_only():
    zones = all_time_zones()

    assert {"UTC", "Asia/Kolkata", "America/Tijuana", "Europe/Kyiv", "Europe/Oslo"} <= set(zones)
    for old in ("Asia/Calcutta", "Mexico/BajaNorte", "US/Pacific", "Europe/Kiev", "Etc/GMT+5"):
        assert old not in zones
    assert list(zones) == sorted(zones)


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Mexico/BajaNorte", "America/Tijuana"),
        ("US/Pacific", "America/Los_Angeles"),
        ("Etc/UTC", "UTC"),
        ("GMT", "UTC"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("Etc/GMT+5", None),
        ("Mars/Olympus", None),
        ("A" * 5000, None),
    ],
)
def test_an_old_name_is_stored_by_its_current_one_and_a_non_zone_is_refused(entered, stored):
    assert time_zone_to_store(entered) == stored
    if stored:
        assert canonical_time_zone(entered) == stored


def _organizer(people, zone):
    organizer = people["organizer"]
    organizer.time_zone = zone
    organizer.save()
    return organizer


def test_extension_and_late_link_forms_start_in_the_organizers_own_zone(client_as, people, term):
    _organizer(people, "Asia/Kolkata")
    ApplicationFormFactory(term=term)
    url = reverse("admissions:deadlines", args=[term.slug, "participant"])

    page = client_as("organizer").get(url).content.decode()

    assert selected_zone(page, "extension-time_zone") == "Asia/Kolkata"
    assert selected_zone(page, "code-time_zone") == "Asia/Kolkata"
    assert "Asia/Calcutta" not in options(page, "code-time_zone")
    assert 'data-zone-filter="id_code-time_zone"' in page  # the search box of the list


def test_without_a_usable_profile_zone_the_forms_start_in_the_terms_zone(client_as, people, term):
    User.objects.filter(pk=people["organizer"].pk).update(time_zone="")
    Term.objects.filter(pk=term.pk).update(time_zone="Europe/Berlin")
    ApplicationFormFactory(term=term)

    page = (
        client_as("organizer")
        .get(reverse("admissions:deadlines", args=[term.slug, "participant"]))
        .content.decode()
    )

    assert selected_zone(page, "extension-time_zone") == "Europe/Berlin"


def test_an_extension_given_with_an_old_zone_name_is_read_in_that_zone(client_as, people, term):
    ApplicationFormFactory(term=term)
    url = reverse("admissions:deadlines", args=[term.slug, "participant"])

    response = client_as("organizer").post(
        url,
        {
            "extension-email": "applicant@example.org",
            "extension-until_date": "2099-01-01",
            "extension-until_time": "12:00",
            "extension-time_zone": "Asia/Calcutta",
        },
    )

    assert response.status_code == 302
    assert DeadlineExtension.objects.get().until == dt.datetime(2099, 1, 1, 6, 30, tzinfo=dt.UTC)


def test_due_dates_and_review_settings_start_in_the_organizers_zone(client_as, people, term):
    _organizer(people, "America/Sao_Paulo")
    ApplicationFormFactory(term=term)
    organizer = client_as("organizer")

    due = organizer.get(reverse("coursework:due_dates", args=[term.slug])).content.decode()
    review = organizer.get(
        reverse("admissions:review_settings", args=[term.slug, "participant"])
    ).content.decode()

    assert selected_zone(due, "time_zone") == "America/Sao_Paulo"
    assert selected_zone(review, "time_zone") == "America/Sao_Paulo"


def test_the_profile_stores_the_current_name_of_a_zone(client_as, people):
    client_as("organizer").post(
        reverse("accounts:profile"), {"name": "Dana", "time_zone": "Asia/Calcutta"}
    )

    assert User.objects.get(pk=people["organizer"].pk).time_zone == "Asia/Kolkata"


def test_a_term_file_with_an_old_zone_name_stores_the_current_one_and_refuses_a_non_place():
    term = term_load(text=SMALL.replace("time_zone: Europe/Berlin", "time_zone: Europe/Kiev"))
    assert term.time_zone == "Europe/Kyiv"

    with pytest.raises(TermFileError) as caught:
        term_load(text=SMALL.replace("time_zone: Europe/Berlin", "time_zone: Etc/GMT+5"))
    assert any(
        'must be an IANA time zone like Europe/Berlin, got "Etc/GMT+5"' in message
        for message in caught.value.messages
    )


def test_the_footers_zone_is_a_view_and_leaves_the_profile_alone(client_as, people, term):
    organizer = _organizer(people, "America/Los_Angeles")
    client = client_as("organizer")
    term_url = reverse("programs:term_detail", args=[term.slug])

    response = client.post(
        reverse("programs:time_zone_pick"), {"tz": "Asia/Tokyo", "next": term_url}, follow=True
    )
    page = response.content.decode()

    organizer.refresh_from_db()
    assert organizer.time_zone == "America/Los_Angeles"
    assert "Thu, 22 Sep 2022, 15:59 UTC+09:00" in page  # the term's deadline, in Tokyo time
    assert "Your profile&#x27;s zone is still America/Los Angeles" in page  # the message
    assert "your profile's zone is still <strong>America/Los_Angeles</strong>" in page  # footer

    # Picking the profile's zone again ends the view.
    back = client.post(
        reverse("programs:time_zone_pick"),
        {"tz": "America/Los_Angeles", "next": term_url},
        follow=True,
    ).content.decode()
    assert "UTC−07:00" in back
    assert "is still <strong>" not in back
