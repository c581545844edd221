"""The permission matrix: every URL name × every role gets exactly the answer it should.

Outsiders (anonymous people asked to log in, applicants and organizers of another term) never
learn that a private page exists: 404 (or the login redirect for anonymous people). Members of the
term without the right get 403. When a new URL is added, this test fails until the URL has a row.
What each role's POST does (and that a refused one changes nothing) is in test_permissions_post.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import cohortkit
from cohortkit.tests.permission_roles import (
    API_ALL_AUTHENTICATED,
    API_ORGANIZER_ONLY,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    ORGANIZER_ONLY,
    PUBLIC,
    REVIEWERS_AND_ORGANIZERS,
    TERM_MEMBERS,
    everyone_but_anonymous,
)
from conftest import ROLES

pytestmark = pytest.mark.django_db


def _application_assigned_to_the_reviewer(term: Any) -> Any:
    from cohortkit.accounts.models import User
    from cohortkit.admissions.models import ApplicationForm, ReviewAssignment
    from cohortkit.admissions.tests.factories import SubmittedApplicationFactory

    form = ApplicationForm.objects.get(term=term, kind="participant")
    application = SubmittedApplicationFactory(form=form)
    reviewer = User.objects.get(email="reviewer@example.org")
    ReviewAssignment.objects.create(application=application, reviewer=reviewer)
    return application


def _application_of_the_applicant(term: Any) -> Any:
    from cohortkit.accounts.models import User
    from cohortkit.admissions.models import ApplicationForm
    from cohortkit.admissions.tests.factories import SubmittedApplicationFactory

    form = ApplicationForm.objects.get(term=term, kind="participant")
    applicant = User.objects.get(email="applicant@example.org")
    return SubmittedApplicationFactory(form=form, applicant=applicant)


def _schedule_run(term: Any) -> Any:
    from cohortkit.scheduling.tests.factories import ScheduleRunFactory

    return ScheduleRunFactory(term=term)


# url name → (how to build its arguments from the fixtures, the expected answer per role).
MATRIX: dict[str, tuple[Any, dict[str, Any]]] = {
    "programs:home": (lambda term: [], PUBLIC),
    "programs:term_detail": (lambda term: [term.slug], PUBLIC),
    # The term in the fixtures is past its deadline: the apply page says so, to everyone, as 403.
    "admissions:apply": (lambda term: [term.slug, "participant"], dict.fromkeys(ROLES, FORBIDDEN)),
    "admissions:deadlines": (lambda term: [term.slug, "participant"], ORGANIZER_ONLY),
    "admissions:applications_import": (lambda term: [term.slug, "participant"], ORGANIZER_ONLY),
    "admissions:access_code_use": (lambda term: ["not-a-code"], everyone_but_anonymous(NOT_FOUND)),
    "programs:term_settings": (lambda term: [term.slug], ORGANIZER_ONLY),
    "accounts:term_invitations": (lambda term: [term.slug], ORGANIZER_ONLY),
    "accounts:signup": (lambda term: [], everyone_but_anonymous(LOGIN, anonymous=OK)),
    "accounts:login": (lambda term: [], PUBLIC),
    "accounts:profile": (lambda term: [], everyone_but_anonymous(OK)),
    "accounts:password_reset": (lambda term: [], PUBLIC),
    "accounts:password_reset_done": (lambda term: [], PUBLIC),
    "accounts:password_reset_complete": (lambda term: [], PUBLIC),
    # An unknown token is 404 for everyone; a real one is tested in test_invitations.
    "accounts:invitation_accept": (lambda term: ["not-a-token"], dict.fromkeys(ROLES, NOT_FOUND)),
    "accounts:password_reset_confirm": (lambda term: ["MQ", "bad-token"], PUBLIC),
    # Review and decisions. Reviewers and organizers open the review pages; an application not
    # assigned to a reviewer is 404 to them (test_reviewing); organizers may read any.
    "admissions:review_assignments": (lambda term: [term.slug], REVIEWERS_AND_ORGANIZERS),
    "admissions:review_application": (
        lambda term: [term.slug, _application_assigned_to_the_reviewer(term).pk],
        REVIEWERS_AND_ORGANIZERS,
    ),
    "admissions:review_settings": (lambda term: [term.slug, "participant"], ORGANIZER_ONLY),
    "admissions:ranking": (lambda term: [term.slug, "participant"], ORGANIZER_ONLY),
    "admissions:ranking_export": (lambda term: [term.slug, "participant"], ORGANIZER_ONLY),
    # Only the person who applied sees their decision; everyone else, whatever their role, 404.
    "admissions:my_decision": (
        lambda term: [term.slug, _application_of_the_applicant(term).form.kind],
        {**everyone_but_anonymous(NOT_FOUND), "applicant": OK},
    ),
    # Section scheduling: organizers only; a member of the term sees their own section.
    "scheduling:sections": (lambda term: [term.slug], ORGANIZER_ONLY),
    "scheduling:run_detail": (lambda term: [term.slug, _schedule_run(term).pk], ORGANIZER_ONLY),
    "scheduling:run_progress": (lambda term: [term.slug, _schedule_run(term).pk], ORGANIZER_ONLY),
    "scheduling:run_export": (lambda term: [term.slug, _schedule_run(term).pk], ORGANIZER_ONLY),
    "sections:my_sections": (lambda term: [term.slug], TERM_MEMBERS),
}

# Views that only take POST: GET is refused with 405 (after the login check).
NOT_GET_PAGES: dict[str, Any] = {
    "programs:time_zone_pick": lambda term: [],
    "accounts:logout": lambda term: [],
    "admissions:apply_save": lambda term: [term.slug, "participant"],
    "admissions:apply_submit": lambda term: [term.slug, "participant"],
    "admissions:apply_withdraw": lambda term: [term.slug, "participant"],
    "admissions:review_conflict": lambda term: [term.slug, 1],
    "admissions:decision_stage": lambda term: [term.slug, "participant", 1],
    "admissions:decisions_release": lambda term: [term.slug, "participant"],
    "admissions:my_decision_respond": lambda term: [term.slug, "participant"],
    "scheduling:run_start": lambda term: [term.slug],
    "scheduling:run_import": lambda term: [term.slug],
    "scheduling:run_edit": lambda term: [term.slug, 1],
    "scheduling:run_what_if": lambda term: [term.slug, 1],
    "scheduling:run_publish": lambda term: [term.slug, 1],
}


def _app_rows(name: str) -> dict[Any, Any]:
    """Every app's ``tests/permission_rows.py`` dict called ``name`` (see permission_roles)."""
    rows: dict[Any, Any] = {}
    for app in pkgutil.iter_modules(cohortkit.__path__):
        if not app.ispkg:
            continue
        module_name = f"cohortkit.{app.name}.tests.permission_rows"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and module_name.startswith(error.name):
                continue
            raise
        rows |= getattr(module, name, {})
    return rows


MATRIX |= _app_rows("ROWS")
NOT_GET_PAGES |= _app_rows("POST_ONLY")


def _url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api"}:
                continue  # the admin has Django's own staff checks; the API has its own matrix
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_row_in_the_matrix():
    missing = _url_names() - set(MATRIX) - set(NOT_GET_PAGES)
    assert not missing, f"add these URL names to the permission matrix: {sorted(missing)}"


@pytest.fixture(autouse=True)
def term_with_sections(sections):
    """Every matrix test runs against the term with its two sections (see conftest)."""
    return sections


@pytest.fixture(autouse=True)
def application_forms(term):
    from cohortkit.tests.factories import ApplicationFormFactory

    ApplicationFormFactory(term=term, kind="participant")
    ApplicationFormFactory(term=term, kind="facilitator", title="Facilitator application")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name, role, term, client_as):
    build_args, expected = MATRIX[url_name]
    url = reverse(url_name, args=build_args(term))

    response = client_as(role).get(url)

    assert response.status_code == expected[role], f"{role} on {url_name}: {response.status_code}"
    if expected[role] == LOGIN and role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url_name", sorted(NOT_GET_PAGES))
def test_post_only_urls_refuse_get(url_name, client_as, term):
    response = client_as("organizer").get(reverse(url_name, args=NOT_GET_PAGES[url_name](term)))

    assert response.status_code == 405


APPLY_POSTS = ["admissions:apply_save", "admissions:apply_submit", "admissions:apply_withdraw"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", APPLY_POSTS)
def test_applying_after_the_deadline_is_refused_for_everyone(url_name, role, term, client_as):
    from cohortkit.admissions.models import Application

    url = reverse(url_name, args=[term.slug, "participant"])

    response = client_as(role).post(url, {"answer-question-0": "late"})

    anonymous = 401 if url_name == "admissions:apply_save" else 302  # autosave says so in place
    assert response.status_code == (anonymous if role == "anonymous" else 403)
    assert not Application.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_term_detail_matrix(role, term, people, client):
    from cohortkit.accounts.services import api_token_create

    headers = {}
    if role != "anonymous":
        headers["Authorization"] = f"Bearer {api_token_create(user=people[role])}"

    response = client.get(f"/api/v1/terms/{term.slug}", headers=headers)

    expected = API_ORGANIZER_ONLY[role]
    assert response.status_code == expected
    if expected == OK:
        assert response.json()["slug"] == term.slug


# Every API route × role. Answers per role for a published term whose deadline has passed.
API_MATRIX: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("get", "/api/v1/me"): ("/api/v1/me", API_ALL_AUTHENTICATED),
    ("get", "/api/v1/terms"): ("/api/v1/terms", API_ALL_AUTHENTICATED),
    ("get", "/api/v1/terms/{slug}"): (
        "/api/v1/terms/fall-2022",
        API_ORGANIZER_ONLY | {"anonymous": 401},
    ),
    ("get", "/api/v1/terms/{slug}/forms/{kind}"): (
        "/api/v1/terms/fall-2022/forms/participant",
        API_ALL_AUTHENTICATED,
    ),
    # Nobody in the fixtures has applied: "no application yet" for everyone.
    ("get", "/api/v1/terms/{slug}/forms/{kind}/application"): (
        "/api/v1/terms/fall-2022/forms/participant/application",
        dict.fromkeys(ROLES, NOT_FOUND) | {"anonymous": 401},
    ),
    # The deadline has passed: writes are refused for everyone, and nothing is created.
    ("put", "/api/v1/terms/{slug}/forms/{kind}/application"): (
        "/api/v1/terms/fall-2022/forms/participant/application",
        dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": 401},
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/application/submit"): (
        "/api/v1/terms/fall-2022/forms/participant/application/submit",
        dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": 401},
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/application/withdraw"): (
        "/api/v1/terms/fall-2022/forms/participant/application/withdraw",
        dict.fromkeys(ROLES, 400) | {"anonymous": 401},
    ),
}

# Reviews and decisions (admissions/api/reviewing.py and deciding.py). Nobody has applied in the
# fixtures, so a route about one application is 404 even to those allowed; test_review_api has the
# same roles
# against a real assigned application, a real decision and a real offer.
API_REVIEWERS_AND_ORGANIZERS = API_ORGANIZER_ONLY | {"reviewer": OK, "anonymous": 401}
API_ALLOWED_BUT_NO_SUCH_APPLICATION = API_ORGANIZER_ONLY | {
    "reviewer": NOT_FOUND,
    "organizer": NOT_FOUND,
    "anonymous": 401,
}
API_NO_APPLICATION_OF_ONES_OWN = dict.fromkeys(ROLES, NOT_FOUND) | {"anonymous": 401}
API_MATRIX |= {
    ("get", "/api/v1/terms/{slug}/reviews"): (
        "/api/v1/terms/fall-2022/reviews",
        API_REVIEWERS_AND_ORGANIZERS,
    ),
    ("get", "/api/v1/terms/{slug}/reviews/{application_id}"): (
        "/api/v1/terms/fall-2022/reviews/1",
        API_ALLOWED_BUT_NO_SUCH_APPLICATION,
    ),
    ("put", "/api/v1/terms/{slug}/reviews/{application_id}"): (
        "/api/v1/terms/fall-2022/reviews/1",
        API_ALLOWED_BUT_NO_SUCH_APPLICATION,
    ),
    ("get", "/api/v1/terms/{slug}/forms/{kind}/rubric"): (
        "/api/v1/terms/fall-2022/forms/participant/rubric",
        API_ORGANIZER_ONLY | {"anonymous": 401},
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/assignments/auto"): (
        "/api/v1/terms/fall-2022/forms/participant/assignments/auto",
        API_ORGANIZER_ONLY | {"anonymous": 401},
    ),
    ("get", "/api/v1/terms/{slug}/forms/{kind}/ranking"): (
        "/api/v1/terms/fall-2022/forms/participant/ranking",
        API_ORGANIZER_ONLY | {"anonymous": 401},
    ),
    ("get", "/api/v1/terms/{slug}/forms/{kind}/ranking.csv"): (
        "/api/v1/terms/fall-2022/forms/participant/ranking.csv",
        API_ORGANIZER_ONLY | {"anonymous": 401},
    ),
    ("put", "/api/v1/terms/{slug}/forms/{kind}/decisions/{application_id}"): (
        "/api/v1/terms/fall-2022/forms/participant/decisions/1",
        API_ORGANIZER_ONLY | {"organizer": NOT_FOUND, "anonymous": 401},
    ),
    # Nothing staged: the organizer releases nothing (200, no email).
    ("post", "/api/v1/terms/{slug}/forms/{kind}/decisions/release"): (
        "/api/v1/terms/fall-2022/forms/participant/decisions/release",
        API_ORGANIZER_ONLY | {"anonymous": 401},
    ),
    ("get", "/api/v1/terms/{slug}/forms/{kind}/decision"): (
        "/api/v1/terms/fall-2022/forms/participant/decision",
        API_NO_APPLICATION_OF_ONES_OWN,
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/decision/confirm"): (
        "/api/v1/terms/fall-2022/forms/participant/decision/confirm",
        API_NO_APPLICATION_OF_ONES_OWN,
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/decision/decline"): (
        "/api/v1/terms/fall-2022/forms/participant/decision/decline",
        API_NO_APPLICATION_OF_ONES_OWN,
    ),
}


# Scheduling runs: organizers only. The organizer's POST builds the fixture term's (empty)
# instance and queues a run; the run ids below do not exist, so they are 404 even to organizers.
API_NO_SUCH_RUN = API_ORGANIZER_ONLY | {"organizer": NOT_FOUND}
API_MATRIX |= {
    ("post", "/api/v1/terms/{slug}/schedule/runs"): (
        "/api/v1/terms/fall-2022/schedule/runs",
        API_ORGANIZER_ONLY | {"organizer": 202},
    ),
    ("get", "/api/v1/terms/{slug}/schedule/runs"): (
        "/api/v1/terms/fall-2022/schedule/runs",
        API_ORGANIZER_ONLY,
    ),
    ("get", "/api/v1/terms/{slug}/schedule/runs/{run_id}"): (
        "/api/v1/terms/fall-2022/schedule/runs/999999",
        API_NO_SUCH_RUN,
    ),
    ("get", "/api/v1/terms/{slug}/schedule/runs/{run_id}/instance"): (
        "/api/v1/terms/fall-2022/schedule/runs/999999/instance",
        API_NO_SUCH_RUN,
    ),
}
API_MATRIX |= _app_rows("API_ROWS")


def test_every_api_route_has_a_row_in_the_matrix(client):
    document = client.get("/api/v1/openapi.json").json()
    routes = {
        (method, path) for path, operations in document["paths"].items() for method in operations
    }

    assert routes == set(API_MATRIX), f"add these API routes: {sorted(routes - set(API_MATRIX))}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(API_MATRIX))
def test_api_permission_matrix(route, role, people, client):
    from cohortkit.accounts.services import api_token_create
    from cohortkit.admissions.models import Application

    method, _ = route
    url, expected = API_MATRIX[route]
    headers = {}
    if role != "anonymous":
        headers["Authorization"] = f"Bearer {api_token_create(user=people[role])}"

    response = getattr(client, method)(
        url, data={}, content_type="application/json", headers=headers
    )

    assert response.status_code == expected[role], (role, route, response.content[:200])
    assert not Application.objects.exists()
