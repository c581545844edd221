"""Withdrawing is refused after the deadline and once a place was offered (the person declines
instead), on the page and in the API; an extension is always later than the form's deadline."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cohortkit.accounts.models import Role
from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.errors import OfferMadeError
from cohortkit.admissions.models import (
    AccessCode,
    Application,
    DeadlineExtension,
    Enrollment,
)
from cohortkit.admissions.services.applying import (
    application_submit,
    application_withdraw,
)
from cohortkit.admissions.services.extending import extension_grant
from cohortkit.common.errors import InvalidInputError
from cohortkit.programs.models import Term
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    MembershipFactory,
    TermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WITHDRAW_CONFIRMED = {"confirm": "yes"}


@pytest.fixture
def form(db):
    now = timezone.now()
    term = TermFactory(
        slug="rules",
        starts_on=(now + dt.timedelta(days=60)).date(),
        ends_on=(now + dt.timedelta(days=120)).date(),
        participant_deadline=now + dt.timedelta(days=30),
        facilitator_deadline=now + dt.timedelta(days=30),
    )
    form = ApplicationFormFactory(term=term)
    FormQuestionFactory(form=form, key="why", type="short_text")
    return form


@pytest.fixture
def applicant(form):
    person = UserFactory(email="ada@example.org", time_zone="Europe/Berlin")
    application_submit(form=form, user=person, raw_answers={"why": "To learn."})
    return person


def _close(form):
    Term.objects.filter(pk=form.term_id).update(
        participant_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    form.term.refresh_from_db()


def _api(client, person):
    token = api_token_create(user=person)
    return client.post(
        "/api/v1/terms/rules/forms/participant/application/withdraw",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
        data={},
    )


def test_withdrawing_after_the_deadline_is_refused_on_the_page_and_in_the_api(
    client, form, applicant
):
    _close(form)
    client.force_login(applicant)

    page = client.post(
        reverse("admissions:apply_withdraw", args=["rules", "participant"]), WITHDRAW_CONFIRMED
    )
    api = _api(client, applicant)

    assert page.status_code == 403
    assert "so yours can no longer be withdrawn" in page.content.decode()
    assert api.status_code == 403
    assert "can no longer be withdrawn" in api.json()["detail"]
    assert Application.objects.get(applicant=applicant).status == "submitted"


def test_withdrawing_after_an_offer_is_refused_and_points_to_declining(client, form, applicant):
    Enrollment.objects.create(
        term=form.term,
        user=applicant,
        role="participant",
        status="offered",
        confirm_by=timezone.now() + dt.timedelta(days=7),
        offered_at=timezone.now(),
    )
    client.force_login(applicant)

    page = client.post(
        reverse("admissions:apply_withdraw", args=["rules", "participant"]), WITHDRAW_CONFIRMED
    )
    api = _api(client, applicant)

    decision_url = reverse("admissions:my_decision", args=["rules", "participant"])
    html = page.content.decode()
    assert page.status_code == 403
    assert "decline the offer" in html
    assert f'href="{decision_url}">Go to your decision</a>' in html
    assert api.status_code == 403
    assert decision_url in api.json()["detail"]
    assert Application.objects.get(applicant=applicant).status == "submitted"
    assert Enrollment.objects.get(user=applicant).status == "offered"


def test_a_confirmed_place_cannot_be_withdrawn_either(form, applicant):
    Enrollment.objects.create(
        term=form.term,
        user=applicant,
        role="participant",
        status="confirmed",
        responded_at=timezone.now(),
    )

    with pytest.raises(OfferMadeError, match="You confirmed your place"):
        application_withdraw(form=form, user=applicant)


def test_before_the_deadline_and_without_an_offer_withdrawing_works(form, applicant):
    assert application_withdraw(form=form, user=applicant).status == "withdrawn"


def test_an_extension_before_the_forms_own_deadline_is_refused_beside_the_field(
    client_as, people, form
):
    organizer = client_as("organizer")
    url = reverse("admissions:deadlines", args=[form.term.slug, "participant"])
    MembershipFactory(term=form.term, user=people["organizer"], role=Role.ORGANIZER)
    earlier = (form.term.participant_deadline - dt.timedelta(days=1)).astimezone(dt.UTC)

    response = organizer.post(
        url,
        {
            "extension-email": "applicant@example.org",
            "extension-until_date": earlier.date().isoformat(),
            "extension-until_time": "12:00",
            "extension-time_zone": "UTC",
        },
    )
    code = organizer.post(
        url,
        {
            "code-until_date": earlier.date().isoformat(),
            "code-until_time": "12:00",
            "code-expires_date": earlier.date().isoformat(),
            "code-expires_time": "11:00",
            "code-time_zone": "UTC",
            "code-max_uses": "3",
        },
    )

    assert response.status_code == 400
    errors = response.context["extension_form"].errors["until_date"]
    assert errors[0].startswith("Choose a moment after the form's own deadline")
    assert "Choose a moment after the form&#x27;s own deadline" in response.content.decode()
    assert code.status_code == 400
    assert "until_date" in code.context["code_form"].errors
    assert not DeadlineExtension.objects.exists()
    assert not AccessCode.objects.exists()


def test_the_service_refuses_an_extension_that_is_not_later(form):
    with pytest.raises(InvalidInputError) as refused:
        extension_grant(
            form=form,
            user=UserFactory(),
            until=form.term.participant_deadline,
            granted_by=UserFactory(),
        )
    assert refused.value.field_errors == {"until": "Choose a moment after the form's own deadline."}
