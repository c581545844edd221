"""The scheduling API: the organizer's runs through a token, on the same task as the page."""

import pytest

from cohortkit.accounts.services import api_token_create
from cohortkit.scheduling.models import ScheduleRun

pytestmark = pytest.mark.django_db

INSTANCE = {
    "slot_minutes": 30,
    "meeting_slots": 2,
    "section_size": {"min": 2, "max": 4},
    "participants": [
        {"id": f"p{n}", "track": "intro", "mode": "virtual", "location": None,
         "available": [[36, 44]], "priority": 1, "timezone": "UTC"}
        for n in range(5)
    ],
    "facilitators": [
        {"id": "f1", "tracks": ["intro"], "max_sections": 1, "virtual": True, "location": None,
         "available": [[30, 50]], "timezone": "UTC"}
    ],
}  # fmt: skip


@pytest.fixture
def api(client, people):
    def call(method, path, role="organizer", **kwargs):
        token = api_token_create(user=people[role])
        return getattr(client, method)(
            f"/api/v1{path}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )

    return call


def test_a_run_started_through_the_api_is_solved_and_readable(
    api, term, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = api(
            "post",
            f"/terms/{term.slug}/schedule/runs",
            data={"instance": INSTANCE, "time_limit_seconds": 5},
        )

    assert started.status_code == 202
    run_id = started.json()["id"]
    done = api("get", f"/terms/{term.slug}/schedule/runs/{run_id}").json()
    assert done["status"] == "done"
    assert done["solution"]["objective"] == 4  # one section of at most four
    assert done["solution"]["unplaced"][0]["reason"]
    instance = api("get", f"/terms/{term.slug}/schedule/runs/{run_id}/instance").json()
    assert len(instance["participants"]) == 5
    assert [run["id"] for run in api("get", f"/terms/{term.slug}/schedule/runs").json()] == [run_id]


def test_an_invalid_instance_is_refused_with_the_field_named(api, term):
    bad = INSTANCE | {"section_size": {"min": 5, "max": 2}}

    response = api("post", f"/terms/{term.slug}/schedule/runs", data={"instance": bad})

    assert response.status_code == 400
    assert "section_size" in response.json()["detail"]
    assert not ScheduleRun.objects.exists()


def test_others_cannot_start_or_read_runs(api, term):
    assert (
        api("post", f"/terms/{term.slug}/schedule/runs", role="facilitator", data={}).status_code
        == 403
    )
    assert (
        api("get", f"/terms/{term.slug}/schedule/runs", role="organizer_other_term").status_code
        == 404
    )
