"""Emails are rendered from their template files: subject one line, body unescaped text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cohortkit.notifications.emails import email_queue_rendered, email_render
from cohortkit.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_templates(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "hello.subject.txt").write_text("Welcome,\n {{ name }}\n")
    (folder / "hello.txt").write_text("Dear {{ name }},\n\nyou chose {{ choice }}.\n")
    templates = [dict(entry) for entry in settings.TEMPLATES]
    for entry in templates:
        if entry.get("NAME") == "emails":
            entry["DIRS"] = [tmp_path]
    settings.TEMPLATES = templates
    return tmp_path


def test_rendered_subject_is_one_line_and_body_is_not_escaped(email_templates: Path) -> None:
    rendered = email_render(
        template="demo/hello", context={"name": "Ada <Lovelace>", "choice": "A & B"}
    )
    assert rendered.subject == "Welcome, Ada <Lovelace>"
    assert rendered.body == "Dear Ada <Lovelace>,\n\nyou chose A & B.\n"


def test_queued_once_per_key(email_templates: Path) -> None:
    for _ in range(2):
        email_queue_rendered(
            to="ada@example.org",
            template="demo/hello",
            context={"name": "Ada", "choice": "B"},
            idempotency_key="hello:ada",
        )
    email = OutboundEmail.objects.get()
    assert email.subject == "Welcome, Ada"
    assert "you chose B." in email.body
