"""A name is one line: a line break in it is refused everywhere a name is set, and an email
subject is made one line whatever went into it (issue 8, item 12: every email with such a name in
its subject failed)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cohortkit.accounts.models import User
from cohortkit.accounts.services import user_profile_update
from cohortkit.common.errors import InvalidInputError
from cohortkit.common.text import LINE_BREAK_MESSAGE
from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.services import email_queue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Ada\r\nBcc: evil@example.org", "Ada\nLovelace", "Ada\u2028L"])
def test_a_name_with_a_line_break_is_refused_at_signup_and_in_the_profile(client, name, people):
    signup = client.post(
        reverse("accounts:signup"),
        {
            "name": name,
            "email": "new@example.org",
            "time_zone": "Europe/London",
            "password": "a long enough passphrase 42",
        },
    )
    profile = Client()
    profile.force_login(people["applicant"])
    changed = profile.post(
        reverse("accounts:profile"), {"name": name, "time_zone": "Europe/London"}
    )

    assert signup.status_code in {200, 400}
    assert LINE_BREAK_MESSAGE in signup.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()
    assert LINE_BREAK_MESSAGE in changed.content.decode()
    people["applicant"].refresh_from_db()
    assert "\n" not in people["applicant"].name


def test_the_profile_service_refuses_a_name_with_a_line_break(people):

    with pytest.raises(InvalidInputError, match="Keep this on one line"):
        user_profile_update(user=people["applicant"], name="Ada\r\nX", time_zone="UTC")


def test_the_admin_refuses_a_name_with_a_line_break(people):
    user = people["applicant"]
    user.name = "Ada\r\nLovelace"

    with pytest.raises(ValidationError, match="Keep this on one line"):
        user.full_clean()


def test_an_email_subject_is_always_one_line_and_is_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(
            to="ada@example.org",
            subject="Your application, Ada\r\nLovelace\u2028(again)",
            body="Hello",
            idempotency_key="subject-one-line",
        )

    stored = OutboundEmail.objects.get(idempotency_key="subject-one-line")
    assert stored.subject == "Your application, Ada Lovelace (again)"
    assert [sent.subject for sent in mailoutbox] == ["Your application, Ada Lovelace (again)"]
