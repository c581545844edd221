"""Certificates: the public contract (shared/contracts/certificates.md), the PDF, the signed
Open Badges credential (checked with PyJWT, a JOSE library we do not sign with) and the CLI."""

from __future__ import annotations

import io
import json
import re

import jwt
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cohortkit.certificates import services
from cohortkit.certificates.models import Certificate
from cohortkit.common.errors import NotAllowedError
from cohortkit.completion import services as completion_services
from cohortkit.completion.tests.helpers import AFTER_THE_TERM, attend

pytestmark = pytest.mark.django_db


@pytest.fixture
def completer(term, people, sections):
    completion_services.completion_rule_set(
        term=term, actor=people["organizer"], values={"min_meetings": 7, "min_assignments": 0}
    )
    attend(sections["a"], people["participant"], ["present"] * 8)
    completion_services.completion_confirm(term=term, actor=people["organizer"], now=AFTER_THE_TERM)
    return people["participant"]


@pytest.fixture
def certificate(term, completer):
    return services.certificate_issue(
        term=term,
        user=completer,
        role="participant",
        holder_name="Priya  Participant",
        now=AFTER_THE_TERM,
    )


def test_only_a_confirmed_completer_is_issued_a_certificate(term, people, sections):
    with pytest.raises(NotAllowedError):
        services.certificate_issue(
            term=term, user=people["participant"], role="participant", holder_name="Me"
        )
    assert not Certificate.objects.exists()


def test_the_holder_chooses_the_name_and_a_double_submit_issues_one(term, completer):
    client = Client()
    client.force_login(completer)
    url = reverse("certificates:mine", args=[term.slug])
    assert completer.name in client.get(url).content.decode()  # the default

    client.post(url, {"role": "participant", "holder_name": "Priya Q. Participant"})
    client.post(url, {"role": "participant", "holder_name": "Someone Else"})

    certificate = Certificate.objects.get()
    assert certificate.holder_name == "Priya Q. Participant"
    page = client.get(url).content.decode()
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page


def test_the_public_contract(term, certificate):
    anonymous = Client()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", certificate.public_id)  # ≥ 128 random bits
    base = f"/certificates/{certificate.public_id}"

    page = anonymous.get(f"{base}/")
    data = anonymous.get(f"{base}.json")

    assert page.status_code == 200 and "Priya Participant" in page.content.decode()
    assert "Valid" in page.content.decode()
    assert data["Content-Type"] == "application/json"
    assert data.json() == {
        "id": certificate.public_id,
        "holder_name": "Priya Participant",
        "program": "Introduction to ML Safety",
        "term": "Fall 2022",
        "track": "Introductory",
        "role": "participant",
        "issued_on": "2022-12-01",
        "status": "valid",
        "status_changed_on": None,
        "reason": None,
        "verification_url": data.json()["verification_url"],
    }
    assert data.json()["verification_url"].endswith(f"{base}/")


@pytest.mark.parametrize("suffix", ["/", ".json", ".pdf"])
def test_an_unknown_id_is_404_on_all_three(certificate, suffix):
    unknown = "A" * len(certificate.public_id)
    assert Client().get(f"/certificates/{unknown}{suffix}").status_code == 404


def test_the_pdf_has_the_name_and_a_qr_code(certificate):
    response = Client().get(f"/certificates/{certificate.public_id}.pdf")

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Priya Participant" in text and "Introduction to ML Safety" in text
    assert "Fall 2022" in text
    assert len(reader.pages[0].images) == 1  # the QR code of the verification URL


def test_revoking_keeps_the_page_and_says_why(term, people, certificate):
    services.certificate_revoke(
        certificate=certificate,
        actor=people["organizer"],
        reason="Plagiarised homework.",
        now=AFTER_THE_TERM,
    )
    anonymous = Client()
    base = f"/certificates/{certificate.public_id}"

    page = anonymous.get(f"{base}/").content.decode()
    data = anonymous.get(f"{base}.json").json()

    assert "Revoked on 01 December 2022: Plagiarised homework." in page
    assert (data["status"], data["status_changed_on"], data["reason"]) == (
        "revoked",
        "2022-12-01",
        "Plagiarised homework.",
    )
    assert anonymous.get(f"{base}.pdf").status_code == 410


def test_a_withdrawn_certificate_has_no_name(people, certificate):
    services.certificate_withdraw(certificate=certificate, actor=people["participant"])

    data = Client().get(f"/certificates/{certificate.public_id}.json").json()

    assert (data["status"], data["holder_name"]) == ("withdrawn", None)
    assert (
        "Withdrawn at the holder"
        in Client().get(f"/certificates/{certificate.public_id}/").content.decode()
    )


def test_a_name_correction_keeps_the_url(people, certificate):
    before = certificate.public_id

    services.certificate_rename(
        certificate=certificate, actor=people["participant"], holder_name="Priya Patel"
    )

    data = Client().get(f"/certificates/{before}.json").json()
    assert (data["id"], data["holder_name"]) == (before, "Priya Patel")


def test_the_open_badge_verifies_with_the_published_key(people, certificate):
    holder = Client()
    holder.force_login(people["participant"])
    token = holder.get(f"/certificates/{certificate.public_id}/credential.jwt").content.decode()
    keys = Client().get("/certificates/keys.json").json()

    header = jwt.get_unverified_header(token)
    key = jwt.PyJWKSet.from_dict(keys)[header["kid"]]
    claims = jwt.decode(token, key=key, algorithms=["EdDSA"])

    assert header["typ"] == "vc+jwt"
    assert "OpenBadgeCredential" in claims["type"]
    assert claims["credentialSubject"]["name"] == "Priya Participant"
    assert claims["id"].endswith(f"/certificates/{certificate.public_id}/")
    assert "d" not in keys["keys"][0]  # never the private half
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, key=key, algorithms=["EdDSA"])


def test_only_the_holder_downloads_the_credential(people, certificate, client_as):
    url = f"/certificates/{certificate.public_id}/credential.jwt"
    assert client_as("organizer").get(url).status_code == 404


def test_the_command_lists_the_term_as_json(term, people, certificate, capsys):
    services.certificate_revoke(certificate=certificate, actor=people["organizer"], reason="x")

    call_command("certificates", "list", "--term", term.slug, "--json")

    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["revoked"]
    with pytest.raises(CommandError) as refused:
        call_command("certificates", "list", "--term", "no-such-term", "--json")
    assert refused.value.returncode == 2


def test_a_name_in_any_latin_script_prints(term, completer):
    certificate = services.certificate_issue(
        term=term, user=completer, role="participant", holder_name="Zoë Łukasiewicz-Şahin"
    )

    response = Client().get(f"/certificates/{certificate.public_id}.pdf")

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Zoë Łukasiewicz-Şahin" in text


def test_the_holder_corrects_the_name_and_others_cannot(term, people, certificate, client_as):
    url = reverse("certificates:rename", args=[certificate.public_id])

    refused = client_as("facilitator").post(url, {"holder_name": "Someone Else"})
    client_as("participant").post(url, {"holder_name": "Priya Patel"})

    assert refused.status_code == 404
    certificate.refresh_from_db()
    assert certificate.holder_name == "Priya Patel"


def test_only_the_terms_organizers_revoke(term, people, certificate, client_as):
    url = reverse("certificates:revoke", args=[certificate.public_id])

    assert client_as("participant").post(url, {"reason": "no"}).status_code == 403
    assert client_as("organizer_other_term").post(url, {"reason": "no"}).status_code == 404
    client_as("organizer").post(url, {"reason": ""})  # a reason is required
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_the_profile_lists_the_certificates(certificate, client_as):
    page = client_as("participant").get(reverse("accounts:profile")).content.decode()

    assert "Your certificates" in page
    assert reverse("certificates:detail", args=[certificate.public_id]) in page


def test_the_signing_key_is_made_once_and_kept(certificate):
    from cohortkit.certificates.models import SigningKey
    from cohortkit.certificates.signing import public_key_set

    first = public_key_set()
    second = public_key_set()

    assert first == second and SigningKey.objects.count() == 1


def test_a_key_file_setting_keeps_the_key_outside_the_database(certificate, settings, tmp_path):
    from cohortkit.certificates.models import SigningKey
    from cohortkit.certificates.signing import credential_jwt, public_key_set

    settings.CERTIFICATE_SIGNING_KEY_FILE = str(tmp_path / "keys" / "signing.jwk")
    token = credential_jwt(certificate)
    keys = public_key_set()

    assert (tmp_path / "keys" / "signing.jwk").stat().st_mode & 0o077 == 0
    assert not SigningKey.objects.exists()
    key = jwt.PyJWKSet.from_dict(keys)[jwt.get_unverified_header(token)["kid"]]
    assert jwt.decode(token, key=key, algorithms=["EdDSA"])["credentialSubject"]["name"]
