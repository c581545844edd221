"""Fixtures of the community tests: emails sent on commit, and a question of the applicant's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail


@pytest.fixture
def committed(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]],
) -> Callable[[], AbstractContextManager[Any]]:
    """``with committed():`` runs what the block queued on commit (emails are sent then)."""

    def make() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return make


@pytest.fixture
def outbox() -> Iterator[list[Any]]:
    mail.outbox = []
    yield mail.outbox


def emails_to(outbox: list[Any], address: str) -> list[Any]:
    return [message for message in outbox if address in message.to]
