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


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_the_tokens_page_shows_a_new_token_once_and_revoking_it_closes_the_api(people, client_as):
    client = client_as("organizer")

    created = client.post("/accounts/tokens/", {"name": "reports", "expires": "30"})
    token = created.context["new_token"]
    opened = client.get("/api/v1/me", headers=_bearer(token))
    listed = client.get("/accounts/tokens/").content.decode()
    stored = ApiToken.objects.get()
    revoked = client.post(f"/accounts/tokens/{stored.pk}/revoke/", follow=True)
    refused = client.get("/api/v1/me", headers=_bearer(token))

    assert token in created.content.decode()
    assert opened.status_code == 200
    assert token not in listed and f"{stored.prefix}…" in listed and "reports" in listed
    assert "In 30 days" in listed and "active" in listed
    assert "is revoked: it opens nothing any more" in revoked.content.decode()
    assert "revoked" in revoked.content.decode()
    assert refused.status_code == 401


def test_revoking_someone_elses_token_is_404_and_changes_nothing(people, client_as):
    from cohortkit.accounts.services import api_token_create

    token = api_token_create(user=people["organizer"], name="mine")
    stored = ApiToken.objects.get()

    response = client_as("participant").post(f"/accounts/tokens/{stored.pk}/revoke/")

    assert response.status_code == 404
    stored.refresh_from_db()
    assert stored.revoked_at is None
    assert client_as("anonymous").get("/api/v1/me", headers=_bearer(token)).status_code == 200


def test_an_expired_token_opens_nothing(people, client):
    import datetime as dt

    from django.utils import timezone

    from cohortkit.accounts.services import api_token_create

    token = api_token_create(
        user=people["organizer"], expires_at=timezone.now() + dt.timedelta(days=1)
    )
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/api/v1/me", headers=_bearer(token))

    assert response.status_code == 401


def test_a_token_name_too_long_is_refused_with_a_field_error(people, client_as):
    response = client_as("organizer").post("/accounts/tokens/", {"name": "x" * 101})

    assert response.status_code == 400
    assert "Ensure this value has at most 100 characters" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_list_and_revoke_on_the_command_line(people, capsys):
    call_command("token", "create", "--email", "organizer@example.org", "--name", "ci")
    token = capsys.readouterr().out.strip()
    stored = ApiToken.objects.get()

    call_command("token", "list", "--email", "organizer@example.org")
    listed = capsys.readouterr().out
    call_command("token", "revoke", "--email", "organizer@example.org", "--id", str(stored.pk))
    revoked = capsys.readouterr().out
    call_command("token", "list", "--email", "organizer@example.org")
    listed_after = capsys.readouterr().out

    assert listed.startswith(f"{stored.pk}\t{token[:10]}…\tactive\t") and listed.rstrip().endswith(
        "ci"
    )
    assert revoked.strip() == f"revoked {token[:10]}…"
    assert "\trevoked\t" in listed_after
    with pytest.raises(CommandError, match="No such token"):
        call_command(
            "token", "revoke", "--email", "participant@example.org", "--id", str(stored.pk)
        )
