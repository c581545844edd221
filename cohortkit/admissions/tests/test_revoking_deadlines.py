"""Taking back a personal extension and withdrawing a late-application link: after a confirmation,
audited, harmless when clicked twice; the person is back to the form's deadline, and a withdrawn
link explains itself instead of opening the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from cohortkit.admissions.models import AccessCode, DeadlineExtension
from cohortkit.admissions.services.extending import access_code_create, extension_grant
from cohortkit.common.models import AuditEvent
from cohortkit.common.timezones import format_instant
from cohortkit.programs.selectors import term_application_deadline
from cohortkit.tests.factories import ApplicationFormFactory

pytestmark = pytest.mark.django_db

LATER = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def form(term):
    """The participant form of the matrix term, whose deadline has passed."""
    return ApplicationFormFactory(term=term, kind="participant")


def _apply(term):
    return reverse("admissions:apply", args=[term.slug, "participant"])


def test_an_extension_taken_back_leaves_the_form_deadline(term, people, form, client_as):
    extension = extension_grant(
        form=form, user=people["applicant"], until=LATER, granted_by=people["organizer"]
    )
    url = reverse("admissions:extension_revoke", args=[term.slug, "participant", extension.pk])
    applicant, organizer = client_as("applicant"), client_as("organizer")
    before = applicant.get(_apply(term))

    confirm = organizer.get(url)
    done = organizer.post(url, follow=True)
    again = organizer.post(url, follow=True)
    after = applicant.get(_apply(term))

    assert "Applications close" in before.text and "your personal extension" in before.text
    assert "Take back the extension of applicant@example.org?" in confirm.text
    assert "This cannot be undone" in confirm.text
    assert "applicant@example.org no longer has their own deadline" in done.text
    assert 'data-testid="extension-row"' not in done.text
    assert "already taken back" in again.text
    assert "Applications closed on" in after.text and "personal extension" not in after.text
    assert not DeadlineExtension.objects.exists()
    assert AuditEvent.objects.filter(action="deadline.extension_revoked").count() == 1


def test_a_withdrawn_late_link_no_longer_opens_the_form(term, people, form, client_as):
    code, token = access_code_create(
        form=form,
        until=LATER,
        expires_at=LATER,
        max_uses=5,
        created_by=people["organizer"],
        label="Visa delays",
    )
    link = reverse("admissions:access_code_use", args=[token])
    url = reverse("admissions:access_code_revoke", args=[term.slug, "participant", code.pk])
    applicant, organizer = client_as("applicant"), client_as("organizer")
    used = applicant.get(link, follow=True)

    confirm = organizer.get(url)
    done = organizer.post(url, follow=True)
    again = organizer.post(url, follow=True)
    after = applicant.get(_apply(term))
    reopened = applicant.get(link)
    newcomer = client_as("participant").get(link)

    assert "your access code" in used.text
    assert "was used 1 time" in confirm.text and "This cannot be undone" in confirm.text
    assert "The late-application link “Visa delays” is withdrawn" in done.text
    assert "withdrawn" in done.text.split("Late-application link")[-1]
    assert again.status_code == 200
    assert "Applications closed on" in after.text and "access code" not in after.text
    for refused in (reopened, newcomer):
        assert refused.status_code == 404
        assert "withdrawn by the organizers" in refused.text
    assert AccessCode.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action="access_code.revoked").count() == 1


def test_another_terms_organizer_cannot_take_back_an_extension(term, people, form, client_as):
    extension = extension_grant(
        form=form, user=people["applicant"], until=LATER, granted_by=people["organizer"]
    )
    url = reverse("admissions:extension_revoke", args=[term.slug, "participant", extension.pk])

    assert client_as("organizer_other_term").post(url).status_code == 404
    assert client_as("facilitator").post(url).status_code == 403
    assert DeadlineExtension.objects.filter(pk=extension.pk).exists()


def test_an_extension_taken_back_is_emailed_once_with_the_deadline_now(
    term, people, form, client_as, django_capture_on_commit_callbacks
):
    applicant = people["applicant"]
    applicant.time_zone = "Europe/Berlin"
    applicant.save()
    extension = extension_grant(
        form=form, user=applicant, until=LATER, granted_by=people["organizer"]
    )
    url = reverse("admissions:extension_revoke", args=[term.slug, "participant", extension.pk])
    organizer = client_as("organizer")
    form_deadline = term_application_deadline(term=term, kind="participant")

    confirm = organizer.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(url)  # a double submit

    assert "They are emailed their deadline now" in confirm.text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert message.subject == f"{term}: your own deadline on {form.title} was taken back"
    assert (
        f"the later deadline you had on {form.title} (until Tue, 01 Jan 2999, 01:00 UTC+01:00)"
        in (message.body)
    )
    deadline_text = format_instant(form_deadline, "Europe/Berlin")
    assert (
        f"Your deadline is now {deadline_text}, which has passed: the form is closed to you."
        in (message.body)
    )
    assert f"/terms/{term.slug}/apply/participant/" in message.body
