"""Permission rows of admissions URLs added since the matrix (see test_permissions.py)."""

from __future__ import annotations

from typing import Any

from cohortkit.tests.permission_roles import NOT_FOUND, ORGANIZER_ONLY, everyone_but_anonymous


def _extension(term: Any) -> list[Any]:
    import datetime as dt

    from cohortkit.accounts.models import User
    from cohortkit.admissions.models import ApplicationForm, DeadlineExtension

    extension = DeadlineExtension.objects.create(
        form=ApplicationForm.objects.get(term=term, kind="participant"),
        user=User.objects.get(email="applicant@example.org"),
        until=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        granted_by=User.objects.get(email="organizer@example.org"),
    )
    return [term.slug, "participant", extension.pk]


def _late_link(term: Any) -> list[Any]:
    import datetime as dt

    from cohortkit.accounts.models import User
    from cohortkit.admissions.models import ApplicationForm
    from cohortkit.admissions.services.extending import access_code_create

    code, _ = access_code_create(
        form=ApplicationForm.objects.get(term=term, kind="participant"),
        until=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        max_uses=3,
        created_by=User.objects.get(email="organizer@example.org"),
    )
    return [term.slug, "participant", code.pk]


# An unknown invitation is 404 to everyone signed in; the real one (only its person) is tested in
# programs/tests/test_copying.py.
ROWS: dict[str, tuple[Any, dict[str, Any]]] = {
    "admissions:carry_over": (
        lambda term: [term.slug, "not-a-token"],
        everyone_but_anonymous(NOT_FOUND),
    ),
    # The confirmations of taking back an extension and withdrawing a late-application link.
    "admissions:extension_revoke": (_extension, ORGANIZER_ONLY),
    "admissions:access_code_revoke": (_late_link, ORGANIZER_ONLY),
    # The ranking's release confirmation and the whole application (issue 15): organizers.
    "admissions:decisions_release_confirm": (
        lambda term: [term.slug, "participant"],
        ORGANIZER_ONLY,
    ),
    "admissions:application_full": (
        lambda term: [term.slug, "participant", _participant_application(term).pk],
        ORGANIZER_ONLY,
    ),
}

POST_ONLY: dict[str, Any] = {
    "admissions:decisions_stage_bulk": lambda term: [term.slug, "participant"],
}


def _participant_application(term: Any) -> Any:
    from cohortkit.admissions.models import ApplicationForm
    from cohortkit.admissions.tests.factories import SubmittedApplicationFactory

    form = ApplicationForm.objects.get(term=term, kind="participant")
    return SubmittedApplicationFactory(form=form)
