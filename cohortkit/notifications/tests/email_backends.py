"""Email backends for the delivery tests: a mail server that fails, refuses or hangs.

These stand in for the SMTP server (not for any of our code). ``BlockingFileBackend`` is used by a
real ``cohortkit db_worker`` process, configured through its environment only.
"""

from __future__ import annotations

import os
import smtplib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Raises a transient SMTP error while ``failures_left`` > 0, then delivers to the outbox."""

    failures_left: ClassVar[int] = 0

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class GoodbyeFailsBackend(LocmemBackend):
    """Accepts the message, then the connection fails when it is closed (a broken QUIT)."""

    def close(self) -> None:
        raise smtplib.SMTPResponseException(421, b"4.4.2 connection dropped")


class TakenOverBackend(LocmemBackend):
    """Hangs past the claim (another worker takes the email over meanwhile), then times out."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        from cohortkit.notifications.models import OutboundEmail

        OutboundEmail.objects.update(claimed_at=TakenOverBackend.newer_claim, attempts=2)
        raise TimeoutError("timed out")

    newer_claim: ClassVar[Any] = None


class RefusingBackend(LocmemBackend):
    """The mail server answers 550: no such mailbox."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, b"5.1.1 no such user") for m in messages for address in m.to}
        )


class BlockingFileBackend(FileBackend):
    """Writes each message to a file like Django's file backend, but hangs on the Nth message of
    this process until ``<COHORTKIT_TEST_SIGNAL_DIR>/release`` exists, having written
    ``blocked`` there. ``COHORTKIT_TEST_BLOCK`` says when: ``before`` delivering (the mail server
    has nothing yet) or ``after`` (it has accepted the message, the database doesn't know)."""

    sent_in_this_process: ClassVar[int] = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signal_dir = Path(os.environ["COHORTKIT_TEST_SIGNAL_DIR"])
        self.block_at = int(os.environ.get("COHORTKIT_TEST_BLOCK_AT", "0"))
        self.when = os.environ.get("COHORTKIT_TEST_BLOCK", "before")

    def _hang(self) -> None:
        (self.signal_dir / "blocked").write_text(str(os.getpid()))
        while not (self.signal_dir / "release").exists():
            time.sleep(0.05)

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        BlockingFileBackend.sent_in_this_process += 1
        blocking = BlockingFileBackend.sent_in_this_process == self.block_at
        if blocking and self.when == "before":
            self._hang()
        count = super().send_messages(messages)
        if blocking and self.when == "after":
            if self.stream is not None:
                self.stream.flush()  # the server has it, whatever happens to this process now
            self._hang()
        return count
