"""The permission matrix over every POST route: each role posts a minimal valid payload.

A role that may gets a 2xx/3xx answer (not the login page) and the write happens; a role that
may not is refused (404 for outsiders, 403 for members without the right, the login page or 401
for anonymous people) and NOTHING in the database changes (every model's rows, compared before
and after). A page that accepts POST or an API write without a row fails the suite. The rows
live in ``cohortkit/<app>/tests/post_rows.py`` (see ``cohortkit/tests/post_matrix.py``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import cohortkit
from cohortkit.tests.post_matrix import (
    DONE,
    LOGIN,
    REDIRECT,
    Post,
    World,
    database_snapshot,
    snapshot_difference,
    world_build,
)
from conftest import ROLES


def _app_rows(name: str) -> dict[Any, Post]:
    rows: dict[Any, Post] = {}
    for app in pkgutil.iter_modules(cohortkit.__path__):
        if not app.ispkg:
            continue
        module_name = f"cohortkit.{app.name}.tests.post_rows"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and module_name.startswith(error.name):
                continue
            raise
        rows |= getattr(module, name, {})
    return rows


POST_ROWS = _app_rows("POST_ROWS")
API_POST_ROWS = _app_rows("API_POST_ROWS")


def _accepts_post(callback: Any) -> bool:
    """Whether a view answers POST: a class view with ``post``, or a function naming POST."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    source = inspect.getsource(inspect.unwrap(callback))
    return "POST" in source


def _post_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api"}:
                continue  # Django's admin has its own staff checks; the API is read from OpenAPI
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _post_url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name and _accepts_post(pattern.callback):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_page_that_accepts_post_has_a_post_row():
    names = _post_url_names()

    assert not names - set(POST_ROWS), f"add POST rows for: {sorted(names - set(POST_ROWS))}"
    assert not set(POST_ROWS) - names, f"no such POST page: {sorted(set(POST_ROWS) - names)}"


@pytest.mark.django_db
def test_every_api_write_has_a_post_row(client):
    document = client.get("/api/v1/openapi.json").json()
    writes = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method != "get"
    }

    rows = set(API_POST_ROWS)
    assert writes == rows, f"add: {sorted(writes - rows)}; no such: {sorted(rows - writes)}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The matrix world, built once for the module; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield world_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _client(world: World, role: str, *, api: bool) -> tuple[Client, dict[str, str]]:
    client = Client()
    headers: dict[str, str] = {}
    if role == "anonymous":
        return client, headers
    if api:
        from cohortkit.accounts.services import api_token_create

        headers["Authorization"] = f"Bearer {api_token_create(user=world.person(role))}"
    else:
        client.force_login(world.person(role))
    return client, headers


def _said(response: Any) -> str:
    """What the answer says: its error messages, or the start of its body."""
    import re

    text = response.content.decode(errors="replace")
    errors = re.findall(r'class="[^"]*(?:error|errorlist|refused)[^"]*"[^>]*>(.*?)</', text, re.S)
    return " | ".join(e.strip() for e in errors if e.strip())[:400] or text[:200]


def _check(world: World, row: Post, role: str, name: str, *, api: bool) -> None:
    cache.clear()
    world.role = role
    client, headers = _client(world, role, api=api)  # first: logging in changes reset tokens
    world.args = args = row.args(world)
    url = args if api else reverse(name, args=args)
    method = name[0] if api else "post"
    if row.prepare is not None:
        row.prepare(world, client)
    data = row.payload(world)
    before = database_snapshot()

    if api or row.json:
        response = getattr(client, method)(
            url, data=data, content_type="application/json", headers=headers | row.headers
        )
    else:
        response = client.post(url, data, headers=headers | row.headers)

    changed = snapshot_difference(before, database_snapshot())
    expected = row.answers[role]
    answer = (response.status_code, response.get("Location", ""), _said(response))
    if expected == DONE:
        assert 200 <= response.status_code < 400, (role, name, answer)
        assert not response.get("Location", "").startswith(reverse("accounts:login")), answer
        if row.done is not None:
            assert row.done(world, response), (role, name, "the write did not happen", answer)
        else:
            assert changed, (role, name, "nothing changed", answer)
    else:
        assert response.status_code == (302 if expected == REDIRECT else expected), answer
        assert not changed, (role, name, f"refused but changed {changed}")
        if expected == LOGIN and role == "anonymous" and not api:
            assert response["Location"].startswith(reverse("accounts:login")), answer


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_post_matrix(url_name, role, world):
    _check(world, POST_ROWS[url_name], role, url_name, api=False)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(API_POST_ROWS), ids=" ".join)
def test_api_post_matrix(route, role, world):
    _check(world, API_POST_ROWS[route], role, route, api=True)
