"""An instance may only name people of its own term: ids like ``p367`` or ``f362`` are never read
as "user 367" of the site. Unknown ids are listed to the organizer, never shown by name, and a run
with any cannot be published; publishing never makes anyone a member of the term silently."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohortkit.accounts.models import Membership
from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.models import Application
from cohortkit.common.errors import ServiceError
from cohortkit.scheduling.models import ScheduleRun
from cohortkit.scheduling.people import facilitator_id, participant_id
from cohortkit.scheduling.services.publishing import run_publish
from cohortkit.scheduling.services.runs import schedule_run_create
from cohortkit.scheduling.tests.factories import facilitator, participant
from cohortkit.sections.models import Section
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _person(person_id):
    return {
        "id": person_id, "track": "intro", "mode": "virtual", "location": None,
        "available": [[36, 44]], "priority": 1, "timezone": "UTC",
    }  # fmt: skip


def _lead(person_id):
    return {
        "id": person_id, "tracks": ["intro"], "max_sections": 1, "virtual": True,
        "location": None, "available": [[30, 50]], "timezone": "UTC",
    }  # fmt: skip


@pytest.fixture
def outsiders(people):
    """The site's superuser and an organizer of another term: accounts, not people of Fall."""
    superuser = UserFactory(name="Site Superuser", email="root@example.org", is_superuser=True)
    return {"superuser": superuser, "other_organizer": people["organizer_other_term"]}


@pytest.fixture
def hostile_instance(fall, outsiders):
    """An instance whose ids look like the term's own but name the superuser (participant) and
    the other term's organizer (facilitator), beside one real applicant of the term."""
    applicant = participant(fall, "UTC", "Mon 18:00-22:00")
    data = {
        "slot_minutes": 30,
        "meeting_slots": 2,
        "section_size": {"min": 1, "max": 4},
        "participants": [
            _person(participant_id(outsiders["superuser"].pk)),
            _person(participant_id(applicant.pk)),
        ],
        "facilitators": [_lead(facilitator_id(outsiders["other_organizer"].pk))],
    }
    return data, applicant


def _import(client, term, data, capture):
    import json

    upload = SimpleUploadedFile("instance.json", json.dumps(data).encode(), "application/json")
    with capture(execute=True):
        return client.post(
            reverse("scheduling:run_import", args=[term.slug]),
            {"instance_file": upload, "time_limit": 2},
        )


def test_an_imported_instance_never_names_accounts_outside_the_term(
    fall, outsiders, hostile_instance, client_as, django_capture_on_commit_callbacks
):
    data, applicant = hostile_instance
    client = client_as("organizer")

    response = _import(client, fall, data, django_capture_on_commit_callbacks)

    run = ScheduleRun.objects.get()
    assert response.status_code == 302
    super_id = participant_id(outsiders["superuser"].pk)
    other_id = facilitator_id(outsiders["other_organizer"].pk)
    assert run.people == {participant_id(applicant.pk): applicant.pk}
    page = client.get(response["Location"]).content.decode()
    assert "2 ids in this instance are not people of Fall 2022." in page
    assert f"{super_id}, {other_id}" in page
    # Neither account is shown by name or address; the term's own applicant is.
    for account in outsiders.values():
        assert account.email not in page
    assert "Site Superuser" not in page
    assert applicant.name in page
    assert 'data-testid="publish"' not in page
    assert "it cannot be published" in page


def test_publishing_such_a_run_is_refused_and_nobody_joins_or_is_emailed(
    fall, outsiders, hostile_instance, client_as, django_capture_on_commit_callbacks
):
    data, _ = hostile_instance
    client = client_as("organizer")
    _import(client, fall, data, django_capture_on_commit_callbacks)
    run = ScheduleRun.objects.get()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scheduling:run_publish", args=[fall.slug, run.pk]), {"grant_roles": "yes"}
        )

    assert response.status_code == 400
    page = response.content.decode()
    assert "2 ids in this run are not people of Fall 2022, so it cannot be published" in page
    assert f"unknown id {participant_id(outsiders['superuser'].pk)}" in page
    assert not Section.objects.exists()
    assert not Membership.objects.filter(term=fall, user__in=outsiders.values()).exists()
    assert mail.outbox == []
    run.refresh_from_db()
    assert run.published_at is None


def test_the_api_lists_the_unknown_ids_and_names_nobody(
    fall, outsiders, hostile_instance, client, people, django_capture_on_commit_callbacks
):
    data, _ = hostile_instance
    token = api_token_create(user=people["organizer"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/terms/{fall.slug}/schedule/runs",
            data={"instance": data, "time_limit_seconds": 2},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert response.status_code == 202
    body = response.json()
    assert body["unknown_ids"] == [
        participant_id(outsiders["superuser"].pk),
        facilitator_id(outsiders["other_organizer"].pk),
    ]
    run = ScheduleRun.objects.get(pk=body["id"])
    with pytest.raises(ServiceError, match="not people of Fall 2022"):
        run_publish(run=run, actor=people["organizer"], grant_roles=True)
    assert not Membership.objects.filter(term=fall, user__in=outsiders.values()).exists()


def test_an_id_names_a_person_only_in_the_role_they_applied_for(fall, people):
    applicant = participant(fall, "UTC", "Mon 18:00-22:00")
    data = {
        "slot_minutes": 30,
        "meeting_slots": 2,
        "section_size": {"min": 1, "max": 4},
        "participants": [_person(participant_id(applicant.pk))],
        # A participant applicant is no facilitator of the term.
        "facilitators": [_lead(facilitator_id(applicant.pk))],
    }

    run = schedule_run_create(term=fall, actor=people["organizer"], instance_data=data)

    assert run.people == {participant_id(applicant.pk): applicant.pk}


def test_publishing_from_applications_asks_before_making_anyone_a_member(
    fall, new_york_section, people, client_as, django_capture_on_commit_callbacks
):
    lead, members = new_york_section
    client = client_as("organizer")
    with django_capture_on_commit_callbacks(execute=True):
        schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=2)
    run = ScheduleRun.objects.get()
    url = reverse("scheduling:run_publish", args=[fall.slug, run.pk])

    confirm = reverse("scheduling:run_publish_confirm", args=[fall.slug, run.pk])
    page = client.get(confirm).content.decode()
    assert "These 5 people are not yet accepted: publishing makes them" in page
    assert members["kolkata"].name in page and 'name="grant_roles"' in page

    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {"expected_emails": "5"})
    assert refused.status_code == 400
    assert "5 people in these sections are not yet accepted members of Fall 2022" in (
        refused.content.decode()
    )
    assert not Section.objects.exists() and mail.outbox == []
    assert not Membership.objects.filter(term=fall, user=lead).exists()

    with django_capture_on_commit_callbacks(execute=True):
        agreed = client.post(url, {"grant_roles": "yes", "expected_emails": "5"})
    assert agreed.status_code == 302
    assert Membership.objects.filter(term=fall, user=lead, role="facilitator").exists()
    assert Membership.objects.filter(term=fall, user=members["kolkata"], role="participant")
    assert len(mail.outbox) == 5


def test_someone_who_withdrew_after_the_run_was_built_is_not_published(
    fall, people, django_capture_on_commit_callbacks
):
    facilitator(fall, "UTC", "Mon 18:00-20:00")
    leaver = participant(fall, "UTC", "Mon 18:00-20:00")
    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=2)
    Application.objects.filter(applicant=leaver).update(status="withdrawn")
    run.refresh_from_db()

    with pytest.raises(ServiceError, match="The term changed since this run") as refused:
        run_publish(run=run, actor=people["organizer"], grant_roles=True)

    assert refused.value.problems == [
        f"1 participant left since this run was built ({participant_id(leaver.pk)})."
    ]
    assert not Section.objects.exists()
