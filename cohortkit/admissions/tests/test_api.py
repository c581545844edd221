"""The admissions API: same rules as the pages, through a token."""

import datetime as dt

import pytest

from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.models import Application
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    TermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(db):
    term = TermFactory(
        slug="api-term",
        starts_on=dt.date(2040, 9, 26),
        ends_on=dt.date(2040, 11, 18),
        participant_deadline=dt.datetime(2040, 9, 20, tzinfo=dt.UTC),
        facilitator_deadline=dt.datetime(2040, 9, 18, tzinfo=dt.UTC),
    )
    form = ApplicationFormFactory(term=term)
    FormQuestionFactory(form=form, key="hours", type="number")
    return form


@pytest.fixture
def api(client):
    user = UserFactory(email="ada@example.org")
    token = api_token_create(user=user)

    def call(method, path, **kwargs):
        return getattr(client, method)(
            f"/api/v1{path}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,
        )

    return call


def test_form_draft_submit_and_read_back(api, form):
    described = api("get", "/terms/api-term/forms/participant").json()
    draft = api(
        "put",
        "/terms/api-term/forms/participant/application",
        data={"answers": {"hours": "−1.5e3"}},
    )
    submitted = api("post", "/terms/api-term/forms/participant/application/submit", data={})
    again = api("post", "/terms/api-term/forms/participant/application/submit", data={})
    mine = api("get", "/terms/api-term/forms/participant/application").json()

    assert described["questions"][0]["key"] == "hours"
    assert draft.json()["answers"][0]["number"] == "-1500"
    assert submitted.status_code == 200 and again.status_code == 200
    assert mine["status"] == "submitted" and mine["answers"][0]["raw"] == "−1.5e3"
    assert Application.objects.count() == 1


def test_api_refuses_what_the_page_refuses(api, form):
    invalid = api(
        "post",
        "/terms/api-term/forms/participant/application/submit",
        data={"answers": {"hours": "abc"}},
    )
    stale = api(
        "put",
        "/terms/api-term/forms/participant/application",
        data={"answers": {"hours": "1"}, "revision": 0},
    )
    api("put", "/terms/api-term/forms/participant/application", data={"answers": {"hours": "2"}})
    stale = api(
        "put",
        "/terms/api-term/forms/participant/application",
        data={"answers": {"hours": "3"}, "revision": 1},
    )
    form.term.participant_deadline = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    form.term.facilitator_deadline = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    form.term.save()
    late = api(
        "put", "/terms/api-term/forms/participant/application", data={"answers": {"hours": "4"}}
    )

    assert invalid.status_code == 400
    assert invalid.json()["field_errors"] == {
        "hours": "Enter a number, for example -1,234.5 or -1.5e3."
    }
    assert stale.status_code == 409
    assert late.status_code == 403 and "deadline passed" in late.json()["detail"]
    assert Application.objects.get().answers.get().raw == "2"


def test_unknown_form_is_404_and_no_token_is_401(api, form, client):
    assert api("get", "/terms/api-term/forms/volunteer").status_code == 404
    assert client.get("/api/v1/terms/api-term/forms/participant").status_code == 401
