"""Server-side tables: search, sort and pages read from the URL, and forgiving of edited URLs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cohortkit.accounts.models import User
from cohortkit.common.tables import Column, search_text, table_page, table_rows
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COLUMNS = [
    Column("name", "Name", ("name",)),
    Column("email", "Email", ("email",)),
    Column("joined", "Joined", ("-date_joined",)),
    Column("zone", "Zone"),
]


def _table(query: str = "", per_page: int = 2):
    request = RequestFactory().get(f"/people/?{query}")
    return table_page(
        request,
        User.objects.all(),
        columns=COLUMNS,
        default_sort="name",
        search_fields=("name", "email"),
        per_page=per_page,
    )


@pytest.fixture
def people():
    names = ["Ana Lima", "Bo Chen", "Cleo Ana", "Dev Patel", "Eve Ng"]
    return [
        UserFactory(name=name, email=f"{name.split()[0].lower()}@example.org") for name in names
    ]


def test_the_first_page_is_sorted_by_the_default_and_counts_every_row(people):
    table = _table()
    assert [u.name for u in table.rows] == ["Ana Lima", "Bo Chen"]
    assert table.total == 5
    assert table.page.paginator.num_pages == 3
    assert table.next_url == "?page=2"
    assert table.previous_url is None


def test_every_word_of_the_search_must_match_name_or_email(people):
    assert [u.name for u in _table("q=ana", per_page=10).rows] == ["Ana Lima", "Cleo Ana"]
    assert [u.name for u in _table("q=ANA+cleo", per_page=10).rows] == ["Cleo Ana"]
    assert [u.name for u in _table("q=dev%40example", per_page=10).rows] == ["Dev Patel"]
    assert _table("q=nobody").total == 0


def test_sorting_turns_round_on_the_current_column_and_keeps_the_filters(people):
    table = _table("sort=-name&track=advanced&page=2")
    assert [u.name for u in table.rows] == ["Cleo Ana", "Bo Chen"]
    name, email, _, zone = table.headers
    assert name.direction == "descending"
    assert name.url == "?sort=name&track=advanced"  # back to page 1, the filter kept
    assert email.direction is None and email.url == "?sort=email&track=advanced"
    assert zone.url is None  # not sortable
    assert table.next_url == "?sort=-name&track=advanced&page=3"


def test_a_field_written_with_a_minus_orders_against_the_column(people):
    newest_first = [u.pk for u in _table("sort=joined", per_page=10).rows]
    assert newest_first == sorted(newest_first, reverse=True)
    assert [u.pk for u in _table("sort=-joined", per_page=10).rows] == sorted(newest_first)


@pytest.mark.parametrize(
    "query",
    ["sort=password", "sort=zone", "sort=", "page=999", "page=-1", "page=x", "q=%00%00"],
)
def test_an_edited_url_reads_as_the_nearest_sensible_table(people, query):
    table = _table(query)
    assert table.rows  # never an error, never an empty page past the end
    assert table.sort in {"name"}


def test_the_search_text_is_trimmed_capped_and_storable():
    assert search_text({"q": "  ana \x00 lima  "}) == "ana lima"
    assert search_text({"q": "a" * 5000}) == "a" * 200
    assert search_text({"q": "\ud800x"}) == "x"
    assert search_text({}) == ""


def test_a_page_costs_two_queries_however_many_rows(people):
    with CaptureQueriesContext(connection) as few:
        _table("q=a")
    UserFactory.create_batch(40)
    with CaptureQueriesContext(connection) as many:
        _table("q=a")
    assert len(few) == len(many) == 2


def test_the_rows_of_a_table_are_every_page_in_the_table_order(people):
    rows = table_rows(
        {"q": "a", "sort": "-name"},
        User.objects.all(),
        columns=COLUMNS,
        default_sort="name",
        search_fields=("name", "email"),
    )
    assert [u.name for u in rows] == ["Eve Ng", "Dev Patel", "Cleo Ana", "Bo Chen", "Ana Lima"]


def test_filter_links_keep_the_search_and_sort_and_go_back_to_page_one(people):
    table = _table("q=a&sort=-name&page=2&state=todo")
    links = table.filter_links("state", [("", "All"), ("todo", "To review"), ("done", "Done")])
    assert [(link.label, link.current) for link in links] == [
        ("All", False),
        ("To review", True),
        ("Done", False),
    ]
    assert links[0].url == "?q=a&sort=-name"
    assert links[2].url == "?q=a&sort=-name&state=done"


def test_two_tables_on_one_page_read_their_own_prefixed_choices_and_keep_the_others(people):
    request = RequestFactory().get("/page/?risk-q=ana&risk-sort=-name&sort=email&page=2")
    table = table_page(
        request,
        User.objects.all(),
        columns=COLUMNS,
        default_sort="name",
        search_fields=("name", "email"),
        per_page=1,
        prefix="risk-",
    )

    assert [u.name for u in table.rows] == ["Cleo Ana"]  # page 1 of its own, sorted its way
    assert table.search_key == "risk-q"
    assert table.next_url == "?risk-q=ana&risk-sort=-name&sort=email&page=2&risk-page=2"
    name = table.headers[0]
    assert name.url == "?risk-q=ana&risk-sort=name&sort=email&page=2"
    assert table.url_with_no_search == "?risk-sort=-name&sort=email&page=2"
    assert ("page", "2") in table.hidden_params and ("sort", "email") in table.hidden_params
