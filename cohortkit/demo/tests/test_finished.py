"""The contract holds on the demo's finished term: the command lists every certificate in the
public shape, and the public URLs answer for each of them (a revoked one's PDF with 410)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from cohortkit.completion.models import Completion, CompletionOverride

pytestmark = pytest.mark.django_db(transaction=False)

KEYS = {
    "id",
    "holder_name",
    "program",
    "term",
    "track",
    "role",
    "issued_on",
    "status",
    "status_changed_on",
    "reason",
    "verification_url",
}


def test_the_demo_finished_term_keeps_the_certificates_contract(capsys):
    call_command("demo", "--today", "2026-03-02")
    capsys.readouterr()

    call_command("certificates", "list", "--term", "ml-safety-fall-2022", "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]

    assert all(set(line) == KEYS for line in lines)
    statuses = [line["status"] for line in lines]
    assert statuses.count("revoked") == 1 and "valid" in statuses
    assert {line["role"] for line in lines} == {"participant", "facilitator"}
    completions = Completion.objects.filter(term__slug="ml-safety-fall-2022")
    assert (
        completions.filter(completed=True).exists() and completions.filter(completed=False).exists()
    )
    assert CompletionOverride.objects.filter(term__slug="ml-safety-fall-2022").count() == 1
    anonymous = Client()
    for line in lines:
        base = f"/certificates/{line['id']}"
        assert line["verification_url"].endswith(f"{base}/")
        assert anonymous.get(f"{base}/").status_code == 200
        assert anonymous.get(f"{base}.json").json() == line
        expected = 410 if line["status"] == "revoked" else 200
        assert anonymous.get(f"{base}.pdf").status_code == expected

    counts = Completion.objects.count()
    out = io.StringIO()
    call_command("demo", "--today", "2026-03-02", stdout=out)
    assert Completion.objects.count() == counts
    assert "(unchanged)" in out.getvalue()
