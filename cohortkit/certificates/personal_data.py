"""The certificates app's share of a person's data. Erasing withdraws every certificate of the
person: its public page stays (someone may have been shown the link) and says "withdrawn at the
holder's request", without the name."""

from __future__ import annotations

from cohortkit.certificates.models import Certificate, CertificateStatus
from cohortkit.common.personal_data import (
    ErasureContext,
    PersonalDataPart,
    personal_data_part_register,
)

ERASED_REASON = "The holder asked for their personal data to be erased."


def _erase(context: ErasureContext) -> None:
    mine = Certificate.objects.filter(user=context.user)
    still_shown = mine.exclude(status=CertificateStatus.WITHDRAWN)
    context.counts["certificates_withdrawn"] = still_shown.exclude(
        status=CertificateStatus.REVOKED
    ).update(
        status=CertificateStatus.WITHDRAWN,
        status_changed_at=context.now,
        holder_name="",
        reason=ERASED_REASON,
    )
    # A revoked certificate stays revoked (its reason matters to whoever checks it), nameless.
    mine.filter(status=CertificateStatus.REVOKED).update(holder_name="Erased person")


def register_certificates_personal_data() -> None:
    personal_data_part_register(
        PersonalDataPart(key="certificates", models={Certificate: ("user",)}, eraser=_erase)
    )
