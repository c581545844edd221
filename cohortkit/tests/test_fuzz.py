"""Fuzzing every page, every form and every API route: bad input is a 4xx, never a 5xx.

The targets are found, not listed: every URL of the resolver (arguments from ``fuzz_world``),
every ``<form>`` those pages show to an organizer, an applicant, a participant, a facilitator and
a reviewer (with the values the page filled in as the starting point), and every operation of
``/api/v1/openapi.json`` with its JSON body built from the schema. A new page, form or route is
fuzzed without a change here.

Each form field is given, in turn, the hostile values for what it holds (NUL and 5,000
characters always; 9999-12-31 for a date, 25:61 for a time, ``1e30``, -1 and NaN for a number,
CR/LF for text) with the rest of the form as the page filled it (empty inputs get a plausible
value), so the value reaches the service behind an otherwise valid form; of repeated rows only the
first. Each API body field gets those and a lone surrogate, ``None``, 10**30, a list and an
object; each query parameter the text ones. Then hypothesis mixes a few more per target.
URLs no page shows a form for get every field name with NUL and with 5,000 characters.

Hypothesis runs derandomized with a bounded number of examples and no deadline,
so the run is the same on every machine and never flakes on a slow one (about 1,000 requests;
``FUZZ_PROGRESS=1`` with ``-s`` prints progress). Every 5xx (and every exception the test client
re-raises) is collected; the test fails listing them all. The admin is Django's and not fuzzed.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cohortkit.tests.fuzz_world import World, world_build

pytestmark = pytest.mark.django_db

# Strings a person, a script or an attacker may send; each one has broken something somewhere.
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x" * 5000,
    "Ada\r\nBcc: evil@example.org",
    "1e30",
    "-1e30",
    "1e-30",
    "NaN",
    "Infinity",
    "-1",
    "99999999999999999999",
    "0",
    "9999-12-31",
    "0001-01-01",
    "2022-02-30",
    "9999-12-31T23:59",
    "25:61",
    "Mars/Olympus_Mons",
    '=HYPERLINK("http://evil.example")',
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "🙂",
]
# The same as JSON values of every type, for API bodies.
HOSTILE_JSON: list[Any] = [
    *HOSTILE_TEXT,
    None,
    True,
    0,
    -1,
    2**63,
    10**30,
    1e30,
    -0.5,
    [],
    {},
    ["\x00"],
    {"\x00": "\ud800"},
]
# The values every single field is given in turn (the rest are mixed in by hypothesis).
EACH_FIELD_TEXT = ["\x00", "x" * 5000, "Ada\r\nBcc: evil@example.org", "1e30", "9999-12-31"]
EACH_FIELD_JSON: list[Any] = [*EACH_FIELD_TEXT, "\ud800", None, 10**30, 1e30, [], {}]
FILE_CONTENTS = [
    b"",
    b"\x00\xff\xfe",
    b'email,name\r\nx@example.org,"\r\n',
    b'{"a": [',
    b"x" * 5000,
]
# The roles pages and forms are read as; each form is fuzzed as the first role shown it.
ROLES = ["organizer", "applicant", "participant", "facilitator", "reviewer"]
API_ROLES = ["organizer", "applicant", "reviewer", "participant"]
REFUSED = {401, 403, 404, 405}
# URLs the fuzz leaves alone, and why.
SKIPPED = {
    "accounts:logout": "logs the client out; nothing to fuzz",
}

LOGIN_URL = "/accounts/login/"
# What an empty input of each type is filled with before fuzzing (hidden inputs stay as they are).
PLAUSIBLE = {
    "email": "participant@example.org",  # a person of the term, as most email fields want
    "date": "2022-10-05",
    "time": "12:00",
    "number": "1",
    "url": "https://example.org/",
    "password": "a long enough passphrase 42",
    "hidden": "",
    "search": "",
}
# Fields whose page value would make each request slow: a solver run of 10 seconds.
PLAUSIBLE_BY_NAME = {"time_limit": "1"}
PROGRESS = bool(os.environ.get("FUZZ_PROGRESS"))
STARTED = time.monotonic()
FUZZ_SETTINGS = settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Form:
    role: str
    method: str
    action: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)  # the page's starting values
    names: list[str] = field(default_factory=list)  # every field name, filled in or not
    files: list[str] = field(default_factory=list)


class _FormReader(HTMLParser):
    """The forms of a page, with the values the page fills in."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._textarea_text: list[str] = []
        self._radios: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = Form(
                role="",
                method=a.get("method", "get").lower(),
                action=urlsplit(action).path or self.page_url,
                multipart="multipart" in a.get("enctype", ""),
            )
            self._radios = {}
            return
        form, name = self._form, a.get("name", "")
        if form is None or (not name and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                return
            if name not in form.names:
                form.names.append(name)
            if kind == "file":
                form.files.append(name)
            elif kind == "radio":
                if "checked" in a or name not in self._radios:
                    self._radios[name] = a.get("value", "on")
            elif kind == "checkbox":
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            else:
                # An empty field gets a plausible value, so the form as a whole is valid and a
                # hostile value in one field reaches the service behind it.
                if a.get("inputmode") in {"decimal", "numeric"}:
                    kind = "number"
                form.fields.append((name, a.get("value", "") or PLAUSIBLE.get(kind, "Text")))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = name, None, False
            if name not in form.names:
                form.names.append(name)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None and value:
                self._select_first = value
            if "selected" in a:
                form.fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._textarea_text = name, []
            if name not in form.names:
                form.names.append(name)
        elif tag == "button" and a.get("value"):
            form.fields.append((name, a["value"]))
            if name not in form.names:
                form.names.append(name)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if form is None:
            return
        if tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                form.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            form.fields.append((self._textarea, "".join(self._textarea_text) or "Some text."))
            self._textarea = None
        elif tag == "form":
            form.fields.extend(self._radios.items())
            form.fields = [
                (name, PLAUSIBLE_BY_NAME.get(name, value)) for name, value in form.fields
            ]
            self.forms.append(form)
            self._form = None


@dataclass
class Fuzzer:
    world: World
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        """One signed-in client per role, kept (a login per request would double the time)."""
        if role not in self.clients:
            client = Client()
            client.force_login(self.world.people[role])
            self.clients[role] = client
        return self.clients[role]

    def check(self, what: str, send: Callable[..., Any], *arguments: Any) -> Any:
        """Send one request (``send(*arguments)``); a 5xx or an exception is a failure."""
        self.requests += 1
        if PROGRESS and self.requests % 200 == 0:
            _progress(self, what[:100])
        try:
            response = send(*arguments)
        except Exception as error:  # the test client re-raises what the view raised
            self.failures.append(f"{what}: {type(error).__name__}: {str(error)[:200]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{what}: {response.status_code}")
        if response.status_code == 302 and response["Location"].startswith(LOGIN_URL):
            self.clients.clear()  # something signed a client out: sign in again
        return response

    def run(self, what: str, strategy: st.SearchStrategy[Any], send: Callable[[Any], Any]) -> None:
        """A few more requests with values hypothesis draws (derandomized: always the same)."""

        @FUZZ_SETTINGS
        @given(strategy)
        def fuzz(value: Any) -> None:
            self.check(f"{what} {_short(value)}", send, value)

        fuzz()


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 160 else text[:160] + "…"


def _url_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, list[str]]]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api"}:
                continue  # the admin is Django's; the API is fuzzed from its OpenAPI document
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_patterns(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            # A re_path has no converters: its named groups are its parameters.
            parameters = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
            yield f"{namespace}{pattern.name}", parameters


def _page_urls(world: World) -> dict[str, str]:
    urls = {}
    for name, parameters in _url_patterns():
        if name in SKIPPED:
            continue
        arguments = world.url_arguments(name, parameters)
        assert arguments is not None, (
            f"{name} has a URL parameter fuzz_world.World.url_arguments does not know: "
            f"{parameters}; teach it the real object"
        )
        urls[name] = reverse(name, kwargs=arguments)
    return urls


def _form_body(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode("ascii")


def _post(client: Client, form: Form, pairs: list[tuple[str, str]], content: bytes) -> Any:
    if form.multipart or form.files:
        data: dict[str, Any] = {}
        for name, value in pairs:
            safe = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            data.setdefault(name, []).append(safe)
        for name in form.files:
            data[name] = SimpleUploadedFile("upload.csv", content)
        return client.post(form.action, data)
    return client.post(
        form.action, _form_body(pairs), content_type="application/x-www-form-urlencoded"
    )


def _with(pairs: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    kept = [(key, old) for key, old in pairs if key != name]
    return [*kept, (name, value)]


def _hostile_for(value: str) -> list[str]:
    """The hostile values worth sending in place of ``value``: by its look (a date, a time, a
    number), plus the two any field must survive."""
    common = ["\x00", "x" * 5000]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return [*common, "9999-12-31", "0001-01-01"]
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", value):
        return [*common, "25:61"]
    if re.fullmatch(r"[-−]?[\d.,]+(e\d+)?", value):
        return [*common, "1e30", "-1", "NaN"]
    return [*common, "Ada\r\nBcc: evil@example.org", "1e30", "9999-12-31"]


def _fuzz_form(fuzzer: Fuzzer, form: Form) -> None:
    role = form.role
    what = f"{role} {form.method.upper()} {form.action}"

    def send(pairs: list[tuple[str, str]], content: bytes = b"") -> Any:
        client = fuzzer.client(role)
        if form.method == "post":
            return _post(client, form, pairs, content)
        return client.get(form.action + "?" + _form_body(pairs).decode())

    # Every field gets the hostile values for what it holds, the other fields as the page filled
    # them; of repeated rows (formsets, one row per person) only the first.
    baseline = dict(form.fields)
    seen: set[str] = set()
    for name in form.names:
        shape = re.sub(r"\d+", "N", name)
        if name in {"csrfmiddlewaretoken", "submit_token"} or shape in seen:
            continue
        seen.add(shape)
        for value in _hostile_for(baseline.get(name, "")):
            fuzzer.check(f"{what} {name}={_short(value)}", send, _with(form.fields, name, value))
    for content in FILE_CONTENTS if form.files else []:
        fuzzer.check(f"{what} file={_short(content)}", send, form.fields, content)
    if not form.names:
        return
    mutations = st.lists(
        st.tuples(
            st.sampled_from(form.names),
            st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40)),
        ),
        min_size=1,
        max_size=4,
    )

    def mutate(changes: list[tuple[str, str]]) -> Any:
        pairs = list(form.fields)
        for name, value in changes:
            pairs = _with(pairs, name, value)
        return send(pairs)

    fuzzer.run(what, mutations, mutate)


def _collect_forms(fuzzer: Fuzzer, urls: dict[str, str]) -> dict[tuple[str, str], Form]:
    """GET every page anonymously (with a 5,000-character ``tz`` cookie) and as each role,
    keeping the forms they show, each with the first role shown it."""
    forms: dict[tuple[str, str], Form] = {}
    skipped = {reverse(name) for name in SKIPPED}
    for index, (name, url) in enumerate(sorted(urls.items())):
        if index < 3:  # the cookie is read by middleware: the same on every page
            fuzzer.check(
                f"anonymous GET {url} tz=5000", Client(cookies={"tz": "x" * 5000}).get, url
            )
        for role in ROLES:
            response = fuzzer.check(f"{role} GET {name}", fuzzer.client(role).get, url)
            if response is None or response.status_code != 200:
                continue
            if "html" in response.get("Content-Type", ""):
                reader = _FormReader(url)
                reader.feed(response.content.decode())
                for form in reader.forms:
                    if form.action in skipped:
                        continue
                    forms.setdefault((form.method, form.action), replace(form, role=role))
            break  # the first role the page is for
    return forms


# The API ---------------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        path = schema["$ref"].removeprefix("#/").split("/")
        schema = document
        for part in path:
            schema = schema[part]
    return schema


def _example(schema: dict[str, Any], document: dict[str, Any], keys: list[str]) -> Any:
    """A plausible value of the schema: the baseline every hostile value is put into."""
    schema = _resolve(schema, document)
    if "default" in schema:
        return schema["default"]
    for union in ("anyOf", "oneOf", "allOf"):
        if union in schema:
            return _example(schema[union][0], document, keys)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        value = {name: _example(sub, document, keys) for name, sub in properties.items()}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not properties:
            value = {key: _example(extra, document, keys) for key in keys}
        return value
    if kind == "array":
        return [_example(schema.get("items", {}), document, keys)]
    return {"integer": 1, "number": 1, "boolean": False, "string": "text"}.get(str(kind), "text")


def _api_body_variants(base: Any) -> Iterator[tuple[str, Any]]:
    """The body with each leaf (and each whole field) replaced by each hostile JSON value."""
    if isinstance(base, dict):
        for key, sub in base.items():
            for value in EACH_FIELD_JSON:
                yield f"{key}={_short(value)}", {**base, key: value}
            if isinstance(sub, dict | list):
                for where, variant in _api_body_variants(sub):
                    yield f"{key}.{where}", {**base, key: variant}
    elif isinstance(base, list) and base:
        for where, variant in _api_body_variants(base[0]):
            yield f"[0].{where}", [variant]


def _fuzz_api(fuzzer: Fuzzer, world: World) -> None:
    from cohortkit.accounts.services import api_token_create

    organizer = fuzzer.client("organizer")
    document = organizer.get("/api/v1/openapi.json").json()
    tokens = {role: api_token_create(user=world.people[role]) for role in ROLES}
    keys = [question[0] for question in _question_keys(world)]
    for path, operations in sorted(document["paths"].items()):
        for method, operation in sorted(operations.items()):
            parameters = [_resolve(p, document) for p in operation.get("parameters", [])]
            names = [p["name"] for p in parameters if p.get("in") == "path"]
            arguments = world.url_arguments(f"api:{operation.get('operationId')}", names)
            assert arguments is not None, f"{method} {path}: unknown path parameters {names}"
            url = path.format(**arguments)
            queries = [p["name"] for p in parameters if p.get("in") == "query"]
            body_schema = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            base = _example(body_schema, document, keys) if body_schema else None
            role = next(
                (
                    role
                    for role in API_ROLES
                    if _api_send(url, method, tokens[role], base).status_code not in REFUSED
                ),
                "organizer",
            )
            what = f"{role} {method.upper()} {url}"

            def send(
                body: Any,
                query: str = "",
                url: str = url,
                method: str = method,
                token: str = tokens[role],
            ) -> Any:
                return _api_send(url + (f"?{query}" if query else ""), method, token, body)

            fuzzer.check(what, send, base)
            for name in queries:
                for value in EACH_FIELD_TEXT:
                    query = urlencode({name: value}, errors="surrogatepass")
                    fuzzer.check(f"{what} ?{name}={_short(value)}", send, base, query)
            if base is None:
                continue
            for where, variant in _api_body_variants(base):
                fuzzer.check(f"{what} {where}", send, variant)
            fuzzer.check(f"{what} not JSON", _raw, url, method, tokens[role])
            fuzzer.run(
                what,
                st.recursive(
                    st.sampled_from(HOSTILE_JSON) | st.text(max_size=20),
                    lambda children: (
                        st.lists(children, max_size=3)
                        | st.dictionaries(st.sampled_from([*keys, "answers"]), children)
                    ),
                    max_leaves=6,
                ),
                send,
            )


def _api_send(url: str, method: str, token: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if method == "get":
        return Client().get(url, headers=headers)
    return Client().generic(
        method.upper(), url, json.dumps(body), content_type="application/json", headers=headers
    )


def _raw(url: str, method: str, token: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    return Client().generic(
        method.upper(), url, b"\xff\x00{", content_type="application/json", headers=headers
    )


def _question_keys(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    from cohortkit.tests.fuzz_world import QUESTIONS

    return QUESTIONS


@pytest.fixture
def world(term, people, sections):
    return world_build(term=term, people=people, sections=sections)


def test_no_page_form_or_api_route_answers_5xx_to_bad_input(world):
    fuzzer = Fuzzer(world)
    urls = _page_urls(world)

    forms = _collect_forms(fuzzer, urls)
    _progress(fuzzer, f"read {len(urls)} URLs, found {len(forms)} forms")
    for _, form in sorted(forms.items()):
        _fuzz_form(fuzzer, form)
    _progress(fuzzer, "fuzzed the forms")
    # POST-only URLs that no page shows a form for still get the hostile values.
    posted = {action for (method, action) in forms if method == "post"}
    names = sorted({name for form in forms.values() for name in form.names})
    for name, url in sorted(urls.items()):
        if url in posted:
            continue
        orphan = Form(role="", method="post", action=url, multipart=False, names=names)
        for role in ("organizer", "participant"):
            for value in ("\x00", "x" * 5000):
                pairs = [(field_name, value) for field_name in names]
                fuzzer.check(
                    f"{role} POST {name} all={_short(value)}",
                    _post,
                    fuzzer.client(role),
                    orphan,
                    pairs,
                    b"",
                )
    _progress(fuzzer, "posted to the other URLs")
    _fuzz_api(fuzzer, world)
    _progress(fuzzer, "fuzzed the API")

    assert fuzzer.requests > 500  # the targets were found: a broken discovery sends few
    assert not fuzzer.failures, f"{len(fuzzer.failures)} requests failed:\n" + "\n".join(
        dict.fromkeys(re.sub(r"\d{3,}", "N", failure) for failure in fuzzer.failures)
    )


def _progress(fuzzer: Fuzzer, what: str) -> None:
    if PROGRESS:
        print(f"{time.monotonic() - STARTED:.0f} s, {fuzzer.requests} requests: {what}", flush=True)
