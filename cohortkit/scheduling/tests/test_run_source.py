"""Which people a run uses is the organizer's choice, shown with counts, never a silent switch; an
empty run and a run the term has moved away from (stale) are not published."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.admissions.models import Enrollment
from cohortkit.common.errors import ServiceError
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.people import participant_id
from cohortkit.scheduling.services.publishing import run_publish
from cohortkit.scheduling.services.runs import schedule_run_create
from cohortkit.sections.models import Section

pytestmark = pytest.mark.django_db

CONFIRM_BY = dt.datetime(2022, 9, 24, tzinfo=dt.UTC)


@pytest.fixture
def offers_released(fall, new_york_section):
    """Offers went to the facilitator and two of the four applicants; nobody confirmed yet."""
    lead, members = new_york_section
    offered = [members["new_york_1"], members["london"]]
    for user, role in [(lead, "facilitator"), *((member, "participant") for member in offered)]:
        Enrollment.objects.create(
            term=fall, user=user, role=role, status="offered", confirm_by=CONFIRM_BY
        )
    return lead, offered


def _start(client, term, capture, **data):
    with capture(execute=True):
        response = client.post(
            reverse("scheduling:run_start", args=[term.slug]), {"time_limit": 2, **data}
        )
    return ScheduleRun.objects.latest("id"), response


def test_the_page_offers_each_set_of_people_with_counts_and_suggests_the_offers(
    fall, offers_released, client_as
):
    page = client_as("organizer").get(reverse("scheduling:sections", args=[fall.slug]))

    text = page.content.decode()
    assert "Submitted applications: 4 participants, 1 facilitator" in text
    assert "Released offers (people offered a place, confirmed or not): 2 participants" in text
    assert "Confirmed enrollments: 0 participants, 0 facilitators" in text
    assert "Suggested: Offers were released to 2 participants and nobody has confirmed yet." in text
    assert 'value="offers" id="id_source_1" checked' in text


def test_a_run_from_confirmed_enrollments_before_anyone_confirmed_says_so_and_cannot_publish(
    fall, offers_released, client_as, django_capture_on_commit_callbacks
):
    client = client_as("organizer")

    run, _ = _start(client, fall, django_capture_on_commit_callbacks, source="enrollments")

    page = client.get(reverse("scheduling:run_detail", args=[fall.slug, run.pk])).content.decode()
    assert "From confirmed enrollments: 0 participants and 0 facilitators." in page
    assert "This run placed nobody, so there is nothing to publish." in page
    assert 'data-testid="publish"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            reverse("scheduling:run_publish", args=[fall.slug, run.pk]), {"grant_roles": "yes"}
        )
    assert refused.status_code == 400
    assert "This run placed nobody, so there is nothing to publish." in refused.content.decode()
    assert not Section.objects.exists() and mail.outbox == []


def test_a_run_from_the_offers_uses_exactly_the_people_offered_a_place(
    fall, offers_released, client_as, django_capture_on_commit_callbacks
):
    lead, offered = offers_released
    client = client_as("organizer")

    run, _ = _start(client, fall, django_capture_on_commit_callbacks, source="offers")

    assert run.source == "offers"
    assert sorted(run.people.values()) == sorted([lead.pk, *(user.pk for user in offered)])
    page = client.get(reverse("scheduling:run_detail", args=[fall.slug, run.pk])).content.decode()
    assert "From released offers (people offered a place, confirmed or not): 2 participants" in page
    assert "2 of 2 placed" in page
    assert 'data-testid="publish"' in page


def test_a_run_whose_people_changed_since_it_was_built_is_stale_and_not_published(
    fall, offers_released, client_as, django_capture_on_commit_callbacks
):
    _, offered = offers_released
    client = client_as("organizer")
    run, _ = _start(client, fall, django_capture_on_commit_callbacks, source="offers")
    Enrollment.objects.filter(user=offered[1], role="participant").update(
        status="declined", responded_at=CONFIRM_BY
    )

    page = client.get(reverse("scheduling:run_detail", args=[fall.slug, run.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            reverse("scheduling:run_publish", args=[fall.slug, run.pk]), {"grant_roles": "yes"}
        )

    left = f"1 participant left since this run was built ({participant_id(offered[1].pk)})."
    assert "The term changed since this run was built; it cannot be published." in page
    assert left in page
    assert 'data-testid="publish"' not in page
    assert refused.status_code == 400 and left in refused.content.decode()
    assert not Section.objects.exists() and mail.outbox == []


def test_a_run_built_before_another_was_published_is_stale(
    fall, new_york_section, people, django_capture_on_commit_callbacks
):
    runs = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            runs.append(
                schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=2)
            )
    first, second = runs
    with django_capture_on_commit_callbacks(execute=True):
        run_publish(run=first, actor=people["organizer"], grant_roles=True)
    second.refresh_from_db()

    # Publishing it too would place everyone a second time, in a second section.
    with pytest.raises(ServiceError, match="The term changed") as refused:
        run_publish(run=second, actor=people["organizer"], grant_roles=True)

    assert refused.value.problems == [
        "Sections were published or changed since this run was built."
    ]
    assert Section.objects.count() == 1


def test_an_unknown_source_is_refused(fall, people):
    with pytest.raises(ServiceError, match="Choose the people to use"):
        schedule_run_create(term=fall, actor=people["organizer"], source="everyone")


def test_the_api_takes_the_source_and_refuses_an_unknown_one(fall, offers_released, client, people):
    from cohortkit.accounts.services import api_token_create

    token = api_token_create(user=people["organizer"])

    def start(source):
        return client.post(
            f"/api/v1/terms/{fall.slug}/schedule/runs",
            data={"source": source, "time_limit_seconds": 2},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    refused = start("everyone")
    started = start("offers")

    assert refused.status_code == 400 and "Choose the people to use" in refused.json()["detail"]
    assert started.status_code == 202 and started.json()["source"] == "offers"
