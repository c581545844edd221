"""Server-side tables: search by text, sort by a named column, one page at a time.

Every choice lives in the URL (``?q=ana&sort=-score&page=3`` plus the page's own filters), so a
table can be bookmarked, shared and reloaded; the database does the searching, ordering and
slicing, so a page of 50 rows costs the same at 50 applications as at 10,000.

A view declares its columns and hands over a queryset::

    table = table_page(
        request,
        Application.objects.filter(form=form).annotate(score=...),
        columns=[
            Column("name", "Name", ("user__name", "user__email")),
            Column("score", "Score", ("score",)),
            Column("answers", "Answers"),  # shown, not sortable
        ],
        search_fields=("user__name", "user__email"),
        default_sort="-score",
    )

and the template shows ``includes/table_search.html``, one ``table.headers`` cell per column and
``includes/table_pager.html``. Two tables on one page each take a ``prefix`` (``prefix="risk-"``
reads ``?risk-q=…&risk-sort=…&risk-page=…``) and keep the other's choices in their links.
Unknown sorts, pages past the end and overlong searches are read
as the nearest sensible choice, never an error: they come from URLs people edit by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 200

RowT = TypeVar("RowT", bound=Model)


@dataclass(frozen=True)
class Column:
    """One column: its key in ``?sort=``, its short heading, the fields it orders by (or none)."""

    key: str
    label: str
    order_by: tuple[str, ...] = ()

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


@dataclass(frozen=True)
class Header:
    """A column heading as the template shows it: a link that sorts, and its current state."""

    key: str
    label: str
    url: str | None
    direction: str | None  # "ascending", "descending" or None (the value of aria-sort)

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.direction or "", "")


@dataclass(frozen=True)
class FilterLink:
    """One choice of a filter shown as links: its label, the URL choosing it, whether chosen."""

    label: str
    url: str
    current: bool


@dataclass
class TablePage(Generic[RowT]):
    """The page of rows shown, and what the controls around it need."""

    page: Page[RowT]
    rows: list[RowT]
    headers: list[Header]
    sort: str
    search: str
    params: QueryDict = field(repr=False)
    # Every row the search and filters match, over all pages (for totals summed in the database).
    matching: QuerySet[RowT] = field(repr=False)
    prefix: str = ""

    @property
    def search_key(self) -> str:
        """The name of the search box's parameter (``q``, or ``<prefix>q``)."""
        return f"{self.prefix}q"

    @property
    def total(self) -> int:
        """How many rows match the search and filters, over every page."""
        return self.page.paginator.count

    def url_with(self, **changes: Any) -> str:
        """The current URL's query with some parameters changed (None removes one)."""
        query = self.params.copy()
        for key, value in changes.items():
            if value is None or value == "":
                query.pop(key, None)
            else:
                query[key] = str(value)
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    def filter_links(self, key: str, choices: Sequence[tuple[str, str]]) -> list[FilterLink]:
        """Links choosing each ``(value, label)`` of the filter ``key`` ("" for all), keeping
        the search, sort and other filters and going back to page 1."""
        chosen = self.params.get(key) or ""
        if chosen not in {value for value, _ in choices}:
            chosen = ""
        return [
            FilterLink(
                label=label,
                url=self.url_with(**{key: value, f"{self.prefix}page": None}),
                current=value == chosen,
            )
            for value, label in choices
        ]

    @property
    def url_with_no_search(self) -> str:
        return self.url_with(**{f"{self.prefix}q": None, f"{self.prefix}page": None})

    @property
    def previous_url(self) -> str | None:
        if not self.page.has_previous():
            return None
        return self.url_with(**{f"{self.prefix}page": self.page.previous_page_number()})

    @property
    def next_url(self) -> str | None:
        if not self.page.has_next():
            return None
        return self.url_with(**{f"{self.prefix}page": self.page.next_page_number()})

    @property
    def hidden_params(self) -> list[tuple[str, str]]:
        """The filters to keep when the search box is submitted (a new search starts on page 1)."""
        return [
            (key, value)
            for key, values in self.params.lists()
            if key not in {f"{self.prefix}q", f"{self.prefix}page"}
            for value in values
        ]


def search_text(params: Mapping[str, Any], key: str = "q") -> str:
    """The search box's text, trimmed, capped and without characters no database stores."""
    raw = params.get(key) or ""
    if not isinstance(raw, str):
        return ""
    cleaned = "".join(ch for ch in raw if ch != "\x00" and not 0xD800 <= ord(ch) <= 0xDFFF)
    return " ".join(cleaned.split())[:SEARCH_MAX_LENGTH]


def queryset_search(
    queryset: QuerySet[RowT], *, text: str, fields: Sequence[str]
) -> QuerySet[RowT]:
    """Rows where every word of ``text`` is in one of ``fields`` (case-insensitive)."""
    for word in text.split():
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(match)
    return queryset


def sort_choice(
    params: Mapping[str, Any], *, columns: Sequence[Column], default: str, key: str = "sort"
) -> str:
    """The ``?sort=`` asked for when it names a sortable column, else the default."""
    raw = params.get(key) or ""
    if isinstance(raw, str):
        key = raw.removeprefix("-")
        if any(column.key == key and column.sortable for column in columns):
            return raw
    return default


def table_page(
    request: HttpRequest,
    queryset: QuerySet[RowT],
    *,
    columns: Sequence[Column],
    default_sort: str,
    search_fields: Sequence[str] = (),
    per_page: int = PAGE_SIZE,
    tie_breaker: str = "pk",
    prefix: str = "",
) -> TablePage[RowT]:
    """Search, sort and cut ``queryset`` as the request's URL says; two queries (count, page)."""
    params = request.GET
    search = search_text(params, f"{prefix}q") if search_fields else ""
    sort = sort_choice(params, columns=columns, default=default_sort, key=f"{prefix}sort")
    queryset = table_rows(
        params,
        queryset,
        columns=columns,
        default_sort=default_sort,
        search_fields=search_fields,
        tie_breaker=tie_breaker,
        prefix=prefix,
    )
    page = Paginator(queryset, per_page).get_page(params.get(f"{prefix}page"))
    headers = [_header(c, sort=sort, params=params, prefix=prefix) for c in columns]
    return TablePage(
        page=page,
        rows=list(page.object_list),
        headers=headers,
        sort=sort,
        search=search,
        params=params,
        matching=queryset,
        prefix=prefix,
    )


def table_rows(
    params: Mapping[str, Any],
    queryset: QuerySet[RowT],
    *,
    columns: Sequence[Column],
    default_sort: str,
    search_fields: Sequence[str] = (),
    tie_breaker: str = "pk",
    prefix: str = "",
) -> QuerySet[RowT]:
    """Every row the table of these URL ``params`` shows, over all its pages, in its order.

    What ``table_page`` cuts into pages; also what "the next one in my list" walks along.
    """
    search = search_text(params, f"{prefix}q") if search_fields else ""
    if search:
        queryset = queryset_search(queryset, text=search, fields=search_fields)
    sort = sort_choice(params, columns=columns, default=default_sort, key=f"{prefix}sort")
    descending = sort.startswith("-")
    column = next(c for c in columns if c.key == sort.removeprefix("-"))
    # A field written "-name" in a column orders against the column's direction.
    ordering = [_flipped(name) if descending else name for name in column.order_by]
    return queryset.order_by(*ordering, f"-{tie_breaker}" if descending else tie_breaker)


def _flipped(name: str) -> str:
    return name.removeprefix("-") if name.startswith("-") else f"-{name}"


def _header(column: Column, *, sort: str, params: QueryDict, prefix: str = "") -> Header:
    if not column.sortable:
        return Header(key=column.key, label=column.label, url=None, direction=None)
    current = sort.removeprefix("-") == column.key
    descending = sort.startswith("-")
    direction = None
    if current:
        direction = "descending" if descending else "ascending"
    # A click on the current column turns it round; on another, sorts by it ascending.
    new_sort = (column.key if descending else f"-{column.key}") if current else column.key
    query = params.copy()
    query[f"{prefix}sort"] = new_sort
    query.pop(f"{prefix}page", None)
    return Header(
        key=column.key,
        label=column.label,
        url=f"?{query.urlencode()}",
        direction=direction,
    )
