import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cohortkit.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_token_that_opens_the_api(people, term, client, capsys):
    call_command("token", "create", "--email", "organizer@example.org")
    token = capsys.readouterr().out.strip()

    response = client.get("/api/v1/terms", headers={"Authorization": f"Bearer {token}"})

    assert token.startswith("ck_")
    assert [item["slug"] for item in response.json()] == [term.slug]
    assert ApiToken.objects.get().token_hash != token  # only the hash is kept


def test_token_create_for_an_unknown_email_fails_clearly(db):
    with pytest.raises(CommandError, match="no active account with the address nobody@"):
        call_command("token", "create", "--email", "nobody@example.org")
    assert not ApiToken.objects.exists()


def test_api_refuses_a_wrong_token(client, db):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer ck_wrong"})

    assert response.status_code == 401


def test_openapi_document_describes_the_routes(client, db):
    document = client.get("/api/v1/openapi.json").json()

    assert document["info"]["title"] == "cohortkit API"
    assert "/api/v1/terms/{slug}" in document["paths"]
    assert (
        "BearerAuth" in str(document["components"]["securitySchemes"])
        or document["components"]["securitySchemes"]
    )


def test_role_grant_makes_the_first_organizer_and_is_idempotent(term, capsys):
    from cohortkit.accounts.models import Membership
    from cohortkit.tests.factories import UserFactory

    UserFactory(email="lead@example.org")

    call_command(
        "role", "grant", "--term", term.slug, "--email", "Lead@example.org", "--role", "organizer"
    )
    call_command(
        "role", "grant", "--term", term.slug, "--email", "lead@example.org", "--role", "organizer"
    )

    assert "lead@example.org is organizer in" in capsys.readouterr().out
    assert Membership.objects.filter(user__email="lead@example.org", role="organizer").count() == 1


def test_role_grant_names_the_bad_argument(term):
    with pytest.raises(CommandError, match="--term: no term with the slug 'nope'"):
        call_command(
            "role", "grant", "--term", "nope", "--email", "x@example.org", "--role", "organizer"
        )
