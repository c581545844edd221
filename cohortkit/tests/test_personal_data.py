"""Personal data: every model that holds a person is exported; erasing keeps what others rely on
(the ledger reconciling, attendance counts) and withdraws the certificate; organizers may do it
for a person of their term, audited; the admin's delete erases too."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from cohortkit.accounts.models import Membership, Role, User
from cohortkit.accounts.personal_data import ERASED_NAME, is_erased
from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.models import Answer
from cohortkit.certificates.models import Certificate, CertificateStatus
from cohortkit.common.models import AuditEvent
from cohortkit.common.personal_data import (
    FORMAT,
    covered_models,
    personal_data_erase,
    personal_data_export,
)
from cohortkit.payments.models import EligibilityStatus, LedgerEntry
from cohortkit.payments.selectors import ledger_check
from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set
from cohortkit.sections.attendance import Mark, attendance_record
from cohortkit.sections.models import Attendance, AttendanceStatus
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_every_model_that_holds_a_person_is_covered_by_an_exporter():
    user_model = get_user_model()
    holding = {
        model
        for model in apps.get_models()
        if model is user_model
        or any(
            field.is_relation and field.concrete and field.related_model is user_model
            for field in model._meta.get_fields()
        )
    }

    missing = sorted(model._meta.label for model in holding - covered_models())

    assert not missing, f"register these in an app's personal_data.py: {missing}"


@pytest.fixture
def participant_with_history(term, people, sections, client_as):
    """The participant: an application with an answer, attendance, a stipend paid into the
    ledger and a certificate."""
    participant = people["participant"]
    organizer = people["organizer"]
    form = ApplicationFormFactory(term=term, kind="participant")
    question = FormQuestionFactory(form=form)
    application = form.applications.create(applicant=participant)
    Answer.objects.create(application=application, question=question, raw="I grew up in Lyon.")
    meeting = sections["a"].meetings.get(week=1)
    attendance_record(
        meeting=meeting,
        actor=organizer,
        marks={participant.pk: Mark(AttendanceStatus.PRESENT)},
        now=meeting.ends_at,
    )
    stipend_eligibility_set(
        term=term, user=participant, status=EligibilityStatus.ELIGIBLE, actor=organizer
    )
    stipend_accrue(term=term, user=participant, actor=organizer)
    # Issued as certificate_issue would after completion (tested in the certificates app).
    certificate = Certificate.objects.create(
        public_id="a" * 32,
        term=term,
        user=participant,
        role="participant",
        holder_name="Pat Participant",
        issued_on=term.ends_on,
        issued_at=meeting.ends_at,
    )
    api_token_create(user=participant)
    return {"person": participant, "certificate": certificate, "form": form}


def test_the_export_holds_everything_about_the_person(participant_with_history):
    person = participant_with_history["person"]

    data = personal_data_export(user=person)
    text = json.dumps(data)

    assert data["format"] == FORMAT
    assert data["person"]["email"] == person.email
    parts = data["parts"]
    assert parts["admissions"]["admissions.Answer"][0]["raw"] == "I grew up in Lyon."
    assert len(parts["sections"]["sections.Attendance"]) == 1
    assert parts["payments"]["payments.LedgerEntry"][0]["amount_minor"] == 100_000
    assert parts["certificates"]["certificates.Certificate"][0]["holder_name"] == "Pat Participant"
    assert len(parts["accounts"]["accounts.ApiToken"]) == 1
    assert "token_hash" not in text and person.password not in text


def test_the_person_downloads_one_json_file(participant_with_history, client_as):
    response = client_as("participant").get(reverse("accounts:my_data"))

    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["person"]["email"] == "participant@example.org"


def test_erasing_keeps_the_ledger_reconciling_and_withdraws_the_certificate(
    participant_with_history, term, client
):
    person = participant_with_history["person"]
    certificate = participant_with_history["certificate"]
    entries_before = list(LedgerEntry.objects.values_list("pk", "amount_minor", "payee_id"))

    personal_data_erase(user=person, actor=person)

    person.refresh_from_db()
    assert is_erased(person) and person.name == ERASED_NAME
    assert not person.is_active and not person.has_usable_password()
    # The ledger is untouched (append-only) and still adds up; the payee is nobody now.
    assert list(LedgerEntry.objects.values_list("pk", "amount_minor", "payee_id")) == entries_before
    assert ledger_check(term).differences == []
    assert Attendance.objects.filter(user=person).count() == 1
    assert not Answer.objects.filter(application__applicant=person).exists()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.WITHDRAWN and certificate.holder_name == ""
    page = client.get(reverse("certificates:detail", args=[certificate.public_id]))
    assert "Withdrawn at the holder&#x27;s request" in page.text or (
        "withdrawn at the holder" in page.text.lower()
    )
    assert "Pat Participant" not in page.text
    assert "participant@example.org" not in json.dumps(personal_data_export(user=person))


def test_deleting_my_account_asks_for_the_password(participant_with_history, client_as):
    client = client_as("participant")
    wrong = client.post(reverse("accounts:account_erase"), {"password": "not it"})
    assert wrong.status_code == 400
    assert "That is not your password" in wrong.text
    assert User.objects.filter(email="participant@example.org").exists()

    response = client.post(
        reverse("accounts:account_erase"), {"password": "correct horse battery"}, follow=True
    )

    assert "Your account and your personal data are erased" in response.text
    assert not User.objects.filter(email="participant@example.org").exists()
    assert client.get(reverse("accounts:profile")).status_code == 302  # logged out


def test_an_organizer_erases_a_person_of_the_term_on_request(
    participant_with_history, term, people, client_as
):
    person = participant_with_history["person"]
    organizer = client_as("organizer")
    url = reverse("accounts:person_erase", args=[term.slug, person.pk])
    assert organizer.post(url, {"email": "someone@else.org", "reason": "x"}).status_code == 400

    organizer.post(url, {"email": person.email, "reason": "email of 3 May"})

    person.refresh_from_db()
    assert is_erased(person)
    event = AuditEvent.objects.get(action="person.erased")
    assert event.term_id == term.pk and event.actor == people["organizer"]
    assert event.details["reason"] == "email of 3 May"
    audit_page = organizer.get(reverse("accounts:term_audit", args=[term.slug]))
    assert "person.erased" in audit_page.text


def test_an_organizer_cannot_erase_a_fellow_organizer_or_a_stranger(term, people, client_as):
    fellow = UserFactory(email="fellow@example.org")
    MembershipFactory(term=term, user=fellow, role=Role.ORGANIZER)
    stranger = UserFactory(email="stranger@example.org")
    organizer = client_as("organizer")

    fellow_answer = organizer.get(reverse("accounts:person_erase", args=[term.slug, fellow.pk]))
    stranger_answer = organizer.get(reverse("accounts:person_erase", args=[term.slug, stranger.pk]))

    assert fellow_answer.status_code == 403
    assert stranger_answer.status_code == 404


def test_the_organizers_download_of_a_person_is_audited(participant_with_history, term, client_as):
    person = participant_with_history["person"]

    response = client_as("organizer").get(
        reverse("accounts:person_data", args=[term.slug, person.pk])
    )

    assert json.loads(response.content)["person"]["id"] == person.pk
    assert AuditEvent.objects.filter(action="person.exported", term_id=term.pk).exists()


def test_the_admin_can_delete_a_person_now(participant_with_history, client):
    person = participant_with_history["person"]
    admin = User.objects.create_superuser("admin@example.org", "correct horse battery")
    client.force_login(admin)

    response = client.post(reverse("admin:accounts_user_delete", args=[person.pk]), {"post": "yes"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert is_erased(person)
    assert Membership.objects.filter(user=person).exists()  # rosters and counts keep the row
    assert Certificate.objects.get(user=person).status == CertificateStatus.WITHDRAWN
