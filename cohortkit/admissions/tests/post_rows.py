"""POST rows of the admissions pages and API (see cohortkit/tests/test_permissions_post.py).

Applying is everyone's own business while the form is open (the rows open it: the matrix term is
past its deadline, which test_permissions checks). Reviews are for reviewers (their assigned
applications) and organizers; decisions for organizers; an offer or a carry-over invitation for
the person it was made to (everyone else: 404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cohortkit.tests.permission_roles import API_ORGANIZER_ONLY, ORGANIZER_ONLY
from cohortkit.tests.post_matrix import (
    API_ORGANIZER_POSTS,
    DONE,
    EVERYONE_SIGNED_IN,
    LOGIN,
    NOT_FOUND,
    ORGANIZER_POSTS,
    Post,
    World,
    may,
)
from conftest import ROLES

FORM = "/api/v1/terms/fall-2022/forms/participant"


def _form(world: World, kind: str = "participant") -> Any:
    from cohortkit.admissions.models import ApplicationForm

    return ApplicationForm.objects.get(term=world.term, kind=kind)


def _open(world: World) -> list[str]:
    """The participant form open to the person posting (their own later deadline)."""
    from cohortkit.admissions.models import DeadlineExtension

    if world.role != "anonymous":
        DeadlineExtension.objects.create(
            form=_form(world),
            user=world.me(),
            until=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
            granted_by=world.person("organizer"),
        )
    return [world.term.slug, "participant"]


def _open_with_my_application(world: World) -> list[str]:
    from cohortkit.admissions.tests.factories import SubmittedApplicationFactory

    args = _open(world)
    if world.role != "anonymous":
        SubmittedApplicationFactory(form=_form(world), applicant=world.me())
    return args


def _applicants_extension(world: World) -> list[Any]:
    from cohortkit.admissions.models import DeadlineExtension

    extension = DeadlineExtension.objects.create(
        form=_form(world),
        user=world.person("applicant"),
        until=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        granted_by=world.person("organizer"),
    )
    return [world.term.slug, "participant", extension.pk]


def _no_extension_left(world: World, response: Any) -> bool:
    from cohortkit.admissions.models import DeadlineExtension

    return not DeadlineExtension.objects.filter(pk=world.args[2]).exists()


def _late_link(world: World) -> list[Any]:
    from cohortkit.admissions.services.extending import access_code_create

    code, _ = access_code_create(
        form=_form(world),
        until=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
        max_uses=3,
        created_by=world.person("organizer"),
    )
    return [world.term.slug, "participant", code.pk]


def _late_link_withdrawn(world: World, response: Any) -> bool:
    from cohortkit.admissions.models import AccessCode

    return AccessCode.objects.get(pk=world.args[2]).revoked_at is not None


def _applicants(world: World) -> Any:
    from cohortkit.admissions.tests.factories import SubmittedApplicationFactory

    return SubmittedApplicationFactory(form=_form(world), applicant=world.person("applicant"))


def _assigned_to_the_reviewer(world: World) -> Any:
    from cohortkit.admissions.models import ReviewAssignment
    from cohortkit.admissions.tests.factories import RubricCategoryFactory

    application = _applicants(world)
    RubricCategoryFactory(form=application.form, name="Motivation")
    ReviewAssignment.objects.create(application=application, reviewer=world.person("reviewer"))
    return application


def _submitted_ids(world: World) -> list[int]:
    from cohortkit.admissions.models import Application

    return list(
        Application.objects.filter(form=_form(world), status="submitted").values_list(
            "pk", flat=True
        )
    )


def _staged(world: World) -> Any:
    from cohortkit.admissions.services.deciding import decision_stage
    from cohortkit.programs.models import Track

    application = _applicants(world)
    decision_stage(
        application=application,
        outcome="accept",
        track=Track.objects.get(term=world.term, slug="intro"),
        actor=world.person("organizer"),
    )
    return application


def _offered(world: World) -> Any:
    from cohortkit.admissions.services.deciding import decisions_release

    application = _staged(world)
    decisions_release(form=application.form, actor=world.person("organizer"))
    return application


def _enrollment_status(world: World) -> str:
    from cohortkit.admissions.models import Enrollment

    return Enrollment.objects.get(term=world.term, user=world.person("applicant")).status


def _carry_over_invitation(world: World) -> list[str]:
    from cohortkit.admissions.models import CarryOverInvitation, Enrollment

    waiting = Enrollment.objects.create(
        term=world.other_term,
        user=world.person("applicant"),
        role="participant",
        status="waitlisted",
        waitlist_rank=1,
    )
    CarryOverInvitation.objects.create(enrollment=waiting, term=world.term, token="matrix-carry")
    return [world.term.slug, "matrix-carry"]


def _scores(world: World) -> dict[str, int]:
    from cohortkit.admissions.models import RubricCategory

    return {str(category.pk): 4 for category in RubricCategory.objects.filter(name="Motivation")}


def _applications_csv(world: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "email,name\nimported@example.org,Imported Person\n"
    return {"file": SimpleUploadedFile("apps.csv", text.encode(), "text/csv"), "import": "1"}


def _has_applied(world: World, response: Any) -> bool:
    from cohortkit.admissions.models import Application

    return Application.objects.filter(form=_form(world), applicant=world.me()).exists()


def _has_submitted(world: World, response: Any) -> bool:
    from cohortkit.admissions.models import Application

    return Application.objects.filter(
        form=_form(world), applicant=world.me(), status="submitted"
    ).exists()


def _has_withdrawn(world: World, response: Any) -> bool:
    from cohortkit.admissions.models import Application

    return Application.objects.filter(
        form=_form(world), applicant=world.me(), status="withdrawn"
    ).exists()


REVIEWERS_AND_ORGANIZERS = may(("reviewer", "organizer"), ORGANIZER_ONLY)
# Only the person the offer or invitation was made to; to everyone else it does not exist.
THE_APPLICANTS = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "applicant": DONE}
API_THE_APPLICANTS = {**THE_APPLICANTS, "anonymous": 401}
API_EVERYONE_SIGNED_IN = {**EVERYONE_SIGNED_IN, "anonymous": 401}

POST_ROWS: dict[str, Post] = {
    # Autosave tells a signed-out person in place (401) rather than sending them to log in.
    "admissions:apply_save": Post(
        args=_open,
        data={"revision": ""},
        answers={**EVERYONE_SIGNED_IN, "anonymous": 401},
        done=_has_applied,
    ),
    "admissions:apply_submit": Post(args=_open, answers=EVERYONE_SIGNED_IN, done=_has_submitted),
    "admissions:apply_withdraw": Post(
        args=_open_with_my_application,
        data={"confirm": "yes"},
        answers=EVERYONE_SIGNED_IN,
        done=_has_withdrawn,
    ),
    "admissions:carry_over": Post(
        args=_carry_over_invitation, data={"answer": "decline"}, answers=THE_APPLICANTS
    ),
    "admissions:applications_import": Post(
        args=lambda w: [w.term.slug, "participant"],
        data=_applications_csv,
        answers=ORGANIZER_POSTS,
    ),
    # Taking back the applicant's extension; withdrawing a late-application link.
    "admissions:extension_revoke": Post(
        args=_applicants_extension, answers=ORGANIZER_POSTS, done=_no_extension_left
    ),
    "admissions:access_code_revoke": Post(
        args=_late_link, answers=ORGANIZER_POSTS, done=_late_link_withdrawn
    ),
    "admissions:deadlines": Post(
        args=lambda w: [w.term.slug, "participant"],
        data={
            "extension-email": "applicant@example.org",
            "extension-until_date": "2022-09-30",
            "extension-until_time": "12:00",
            "extension-time_zone": "UTC",
            "extension-reason": "Travelling",
        },
        answers=ORGANIZER_POSTS,
    ),
    # A reviewer scores the application assigned to them; organizers may read any application
    # but score only those assigned to them (refused in place).
    "admissions:review_application": Post(
        args=lambda w: [w.term.slug, _assigned_to_the_reviewer(w).pk],
        data=lambda w: (
            {"comment": "Clear motivation."}
            | {f"score-{pk}": score for pk, score in _scores(w).items()}
        ),
        answers={**REVIEWERS_AND_ORGANIZERS, "organizer": 400},
    ),
    "admissions:review_conflict": Post(
        args=lambda w: [w.term.slug, _assigned_to_the_reviewer(w).pk],
        data={"confirm": "yes"},
        answers=REVIEWERS_AND_ORGANIZERS,
    ),
    "admissions:review_settings": Post(
        args=lambda w: [w.term.slug, "participant"],
        data={
            "action": "settings",
            "reviews_per_application": "3",
            "time_zone": "UTC",
            "offer_response_days": "5",
        },
        answers=ORGANIZER_POSTS,
    ),
    "admissions:decision_stage": Post(
        args=lambda w: [w.term.slug, "participant", _applicants(w).pk],
        data=lambda w: {f"a{w.args[2]}-choice": "accept:intro"},
        answers=ORGANIZER_POSTS,
    ),
    # The count confirmed on the release's confirmation page goes with the release.
    "admissions:decisions_release": Post(
        args=lambda w: [_staged(w).form.term.slug, "participant"],
        data={"expected": "1"},
        answers=ORGANIZER_POSTS,
    ),
    # Bulk staging the ticked rows of the ranking (issue 15).
    "admissions:decisions_stage_bulk": Post(
        args=lambda w: _applicants(w) and [w.term.slug, "participant"],
        data=lambda w: {
            "bulk-selected": [str(pk) for pk in _submitted_ids(w)],
            "bulk-choice": "reject:",
        },
        answers=ORGANIZER_POSTS,
    ),
    "admissions:my_decision_respond": Post(
        args=lambda w: [_offered(w).form.term.slug, "participant"],
        data={"answer": "confirm"},
        answers=THE_APPLICANTS,
        done=lambda w, response: _enrollment_status(w) == "confirmed",
    ),
}

API_POST_ROWS: dict[tuple[str, str], Post] = {
    ("put", "/api/v1/terms/{slug}/forms/{kind}/application"): Post(
        args=lambda w: _open(w) and f"{FORM}/application",
        data={"answers": {}},
        answers=API_EVERYONE_SIGNED_IN,
        done=_has_applied,
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/application/submit"): Post(
        args=lambda w: _open(w) and f"{FORM}/application/submit",
        data={"answers": {}},
        answers=API_EVERYONE_SIGNED_IN,
        done=_has_submitted,
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/application/withdraw"): Post(
        args=lambda w: _open_with_my_application(w) and f"{FORM}/application/withdraw",
        answers=API_EVERYONE_SIGNED_IN,
        done=_has_withdrawn,
    ),
    ("put", "/api/v1/terms/{slug}/reviews/{application_id}"): Post(
        args=lambda w: f"/api/v1/terms/fall-2022/reviews/{_assigned_to_the_reviewer(w).pk}",
        data=lambda w: {"scores": _scores(w), "comment": "Clear motivation."},
        answers={**may("reviewer", API_ORGANIZER_ONLY), "organizer": 403},  # not assigned
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/assignments/auto"): Post(
        args=lambda w: _applicants(w) and f"{FORM}/assignments/auto",
        data={"per_application": 1},
        answers=API_ORGANIZER_POSTS,
    ),
    ("put", "/api/v1/terms/{slug}/forms/{kind}/decisions/{application_id}"): Post(
        args=lambda w: f"{FORM}/decisions/{_applicants(w).pk}",
        data={"outcome": "accept", "track": "intro"},
        answers=API_ORGANIZER_POSTS,
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/decisions/release"): Post(
        args=lambda w: _staged(w) and f"{FORM}/decisions/release",
        answers=API_ORGANIZER_POSTS,
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/decision/confirm"): Post(
        args=lambda w: _offered(w) and f"{FORM}/decision/confirm",
        answers=API_THE_APPLICANTS,
        done=lambda w, response: _enrollment_status(w) == "confirmed",
    ),
    ("post", "/api/v1/terms/{slug}/forms/{kind}/decision/decline"): Post(
        args=lambda w: _offered(w) and f"{FORM}/decision/decline",
        answers=API_THE_APPLICANTS,
        done=lambda w, response: _enrollment_status(w) == "declined",
    ),
}
