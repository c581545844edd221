"""Emails rendered from templates, so the words are in files anyone can change, not in code.

Each email is two files under ``cohortkit/templates/emails/``: ``<app>/<name>.subject.txt`` (one
line) and ``<app>/<name>.txt`` (the plain-text body). Both are Django templates rendered without
HTML escaping; ``{% load cohortkit %}`` filters work as on pages. Services call
``email_queue_rendered`` with the template's name and a context, nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template import engines

from cohortkit.common.text import one_line
from cohortkit.notifications.models import OutboundEmail
from cohortkit.notifications.services import email_queue

ENGINE_NAME = "emails"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def email_render(*, template: str, context: dict[str, Any]) -> RenderedEmail:
    """The subject (made one line) and body of email ``template`` (``"<app>/<name>"``)."""
    engine = engines[ENGINE_NAME]
    subject = engine.get_template(f"{template}.subject.txt").render(context)
    body = engine.get_template(f"{template}.txt").render(context)
    return RenderedEmail(subject=one_line(subject).strip(), body=body.strip() + "\n")


def email_queue_rendered(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    idempotency_key: str,
    scheduled_at: dt.datetime | None = None,
) -> OutboundEmail:
    """Render email ``template`` with ``context`` and queue it (``email_queue``'s guarantees)."""
    rendered = email_render(template=template, context=context)
    return email_queue(
        to=to,
        subject=rendered.subject,
        body=rendered.body,
        idempotency_key=idempotency_key,
        scheduled_at=scheduled_at,
        term_id=term_id_in(context),
    )


def term_id_in(context: dict[str, Any]) -> int | None:
    """The term an email's context is about: its ``term``, or the term of a value in it."""
    term = context.get("term")
    if term is not None and getattr(term, "pk", None) is not None:
        return int(term.pk)
    for value in context.values():
        term_id = getattr(value, "term_id", None)
        if isinstance(term_id, int):
            return term_id
    return None
