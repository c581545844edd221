"""An archived term is read-only for certificates too: nobody is issued one or corrects its name
(a finished term still issues them); the page says why, with the refusal's status. Withdrawing
and revoking stay possible: a credential outlives its term."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.certificates import services
from cohortkit.certificates.models import Certificate
from cohortkit.common.errors import TooLateError
from cohortkit.completion import services as completion_services
from cohortkit.completion.tests.helpers import AFTER_THE_TERM, attend
from cohortkit.programs.models import Term

pytestmark = pytest.mark.django_db

ARCHIVED_AT = dt.datetime(2023, 6, 1, tzinfo=dt.UTC)


@pytest.fixture
def completer(term, people, sections):
    completion_services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 7, "min_assignments": 0}
    )
    attend(sections["a"], people["participant"], ["present"] * 8)
    completion_services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)
    return people["participant"]


def _archive(term):
    Term.objects.filter(pk=term.pk).update(archived_at=ARCHIVED_AT)
    term.refresh_from_db()


def test_an_archived_term_issues_no_certificate(term, completer, client_as):
    _archive(term)

    with pytest.raises(TooLateError, match="archived"):
        services.certificate_issue(
            term=term, user=completer, role="participant", holder_name="Priya"
        )
    page = client_as("participant").post(
        reverse("certificates:mine", args=[term.slug]),
        {"role": "participant", "holder_name": "Priya"},
    )

    assert page.status_code == 403
    assert "This term is archived; it is read-only." in page.text
    assert not Certificate.objects.exists()


def test_an_archived_term_keeps_the_name_on_its_certificates(term, completer, client_as):
    certificate = services.certificate_issue(
        term=term, user=completer, role="participant", holder_name="Priya", now=AFTER_THE_TERM
    )
    _archive(term)

    with pytest.raises(TooLateError, match="archived"):
        services.certificate_rename(certificate=certificate, actor=completer, holder_name="P. P.")
    page = client_as("participant").post(
        reverse("certificates:rename", args=[certificate.public_id]),
        {"holder_name": "Priya Patel"},
        follow=True,
    )

    assert "This term is archived; it is read-only." in page.text
    certificate.refresh_from_db()
    assert certificate.holder_name == "Priya" and certificate.reissued_at is None


# A credential outlives its term: the holder may still take their name back, and an organizer may
# still revoke one found wrong (with its reason), on an archived term as on any other.


def test_an_archived_term_still_lets_the_holder_withdraw_their_certificate(
    term, completer, client_as
):
    certificate = services.certificate_issue(
        term=term, user=completer, role="participant", holder_name="Priya", now=AFTER_THE_TERM
    )
    _archive(term)

    response = client_as("participant").post(
        reverse("certificates:withdraw", args=[certificate.public_id])
    )
    certificate.refresh_from_db()

    assert response.status_code == 302
    assert certificate.status == "withdrawn" and certificate.holder_name == ""


def test_an_archived_term_still_lets_an_organizer_revoke_a_certificate(term, completer, client_as):
    certificate = services.certificate_issue(
        term=term, user=completer, role="participant", holder_name="Priya", now=AFTER_THE_TERM
    )
    _archive(term)

    response = client_as("organizer").post(
        reverse("certificates:revoke", args=[certificate.public_id]),
        {"reason": "Issued in error"},
    )
    certificate.refresh_from_db()

    assert response.status_code == 302
    assert certificate.status == "revoked" and certificate.reason == "Issued in error"
