"""The money pages as server-side tables: search, sort, filters and pages from the URL, totals
over every matching row (summed in the database), the CSV with every row, and as many queries
for one row as for many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohortkit.accounts.models import Role
from cohortkit.common.tables import PAGE_SIZE
from cohortkit.payments.models import PayoutBatch
from cohortkit.payments.pay import pay_for_minutes
from cohortkit.payments.services.batches import payout_batch_build, payout_batch_discard
from cohortkit.payments.services.rates import facilitator_rate_set
from cohortkit.payments.services.stipends import stipend_accrue, stipend_eligibility_set
from cohortkit.payments.services.timesheets import timesheet_get_or_create, timesheet_submit
from cohortkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MANY = PAGE_SIZE + 5


def _owed_participants(term, organizer, first, count, *, accrue=True):
    people = []
    for number in range(first, first + count):
        user = UserFactory(name=f"Payee {number:03d}", email=f"p{number:03d}@example.org")
        MembershipFactory(term=term, user=user, role=Role.PARTICIPANT)
        stipend_eligibility_set(term=term, user=user, status="eligible", actor=organizer)
        if accrue:
            stipend_accrue(term=term, user=user, actor=None)
        people.append(user)
    return people


def _get(client, url, query=""):
    return client.get(f"{url}?{query}").content.decode()


def _constant(client, url, add_rows):
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add_rows()
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(one), [query["sql"] for query in many]
    return page


def test_the_money_totals_are_over_every_matching_person_not_the_page(money, client_as):
    term, organizer = money["term"], money["people"]["organizer"]
    _owed_participants(term, organizer, 0, MANY)
    stipend = term.stipend_cents
    client = client_as("organizer")
    url = reverse("payments:money", args=[term.slug])

    page = _get(client, url)
    totals = page[page.index('data-testid="money-totals"') :]
    assert page.count('class="money-row"') == PAGE_SIZE
    assert f"{MANY * stipend // 100:}.00" in totals[: totals.index("</dl>")]
    assert "Page 1 of 2" in page

    narrowed = _get(client, url, "q=p007%40example")
    totals = narrowed[narrowed.index('data-testid="money-totals"') :]
    assert narrowed.count('class="money-row"') == 1
    assert f"{stipend // 100:}.00" in totals[: totals.index("</dl>")]
    assert "Totals of the 1 people matching" in narrowed


def test_the_money_table_sorts_and_filters_from_the_url(money, client_as):
    term, people = money["term"], money["people"]
    _owed_participants(term, people["organizer"], 0, 2)
    client = client_as("organizer")
    url = reverse("payments:money", args=[term.slug])

    by_name_down = _get(client, url, "sort=-person")
    assert by_name_down.index("p001@") < by_name_down.index("p000@")
    owed = _get(client, url, "state=owed")
    assert "p000@" in owed and "facilitator@example.org" not in owed
    facilitators = _get(client, url, "role=facilitator")
    assert "facilitator@example.org" in facilitators and "p000@" not in facilitators
    assert 'aria-sort="descending"' in _get(client, url, "sort=-approved")


def test_the_money_page_costs_the_same_queries_with_one_row_or_many_and_the_csv_has_all(
    money, client_as
):
    term, organizer = money["term"], money["people"]["organizer"]
    client = client_as("organizer")
    url = reverse("payments:money", args=[term.slug])

    page = _constant(client, url, lambda: _owed_participants(term, organizer, 0, MANY))

    assert page.count('class="money-row"') == PAGE_SIZE
    csv_text = client.get(reverse("payments:money_csv", args=[term.slug])).content.decode()
    assert all(f"p{number:03d}@example.org" in csv_text for number in range(MANY))


def test_eligibility_is_searched_filtered_and_paged_in_constant_queries(money, client_as):
    term, organizer = money["term"], money["people"]["organizer"]
    client = client_as("organizer")
    url = reverse("payments:eligibility", args=[term.slug])

    page = _constant(
        client, url, lambda: _owed_participants(term, organizer, 0, MANY, accrue=False)
    )
    assert page.count('class="eligibility-row"') == PAGE_SIZE

    stipend_eligibility_set(
        term=term, user=money["people"]["participant"], status="not_eligible", actor=organizer
    )
    not_eligible = _get(client, url, "state=not_eligible")
    assert not_eligible.count('class="eligibility-row"') == 1
    assert "participant@example.org" in not_eligible
    assert _get(client, url, "q=p042").count('class="eligibility-row"') == 1


def _submit(term, facilitator, week, prep_minutes):
    sheet = timesheet_get_or_create(term=term, facilitator=facilitator, week=week)
    return timesheet_submit(timesheet=sheet, actor=facilitator, prep_minutes=prep_minutes)


def test_timesheets_wait_first_with_their_pay_at_the_facilitators_rate(money, client_as):
    term, people = money["term"], money["people"]
    lead = people["facilitator"]
    facilitator_rate_set(term=term, user=lead, rate_minor=4_500, actor=people["organizer"])
    sheet = _submit(term, lead, 1, 50)
    client = client_as("organizer")
    url = reverse("payments:timesheet_review", args=[term.slug])

    page = _get(client, url)

    expected = pay_for_minutes(sheet.total_minutes, 4_500)
    assert f"about {expected // 100}.{expected % 100:02d}" in page
    assert "1 timesheet waits for approval." in page
    assert "Approve week 1" in page
    assert "Approve week 1" not in _get(client, url, "state=approved")
    assert "Approve week 1" not in _get(client, url, "q=nobody-here")
    money_page = _get(client, reverse("payments:money", args=[term.slug]))
    awaiting = f"<dd>{expected // 100}.{expected % 100:02d} USD</dd>"
    assert f"<dt>Owed, awaiting approval</dt>{awaiting}" in money_page


def test_the_timesheet_list_costs_the_same_queries_with_one_row_or_many(money, client_as):
    term, people = money["term"], money["people"]
    client = client_as("organizer")
    url = reverse("payments:timesheet_review", args=[term.slug])
    _submit(term, people["facilitator"], 1, 30)

    def more():
        for week in range(2, 5):
            _submit(term, people["facilitator"], week, 30)
            _submit(term, people["facilitator_other_section"], week, 45)

    page = _constant(client, url, more)
    assert page.count('class="timesheet-row"') == 7


def test_the_batch_list_is_filtered_and_paged_in_constant_queries(money, client_as):
    term, organizer = money["term"], money["people"]["organizer"]
    client = client_as("organizer")
    url = reverse("payments:batches", args=[term.slug])
    PayoutBatch.objects.create(term=term, currency="USD", created_by=organizer)

    page = _constant(
        client,
        url,
        lambda: PayoutBatch.objects.bulk_create(
            PayoutBatch(term=term, currency="USD", created_by=organizer) for _ in range(MANY)
        ),
    )

    assert page.count('class="batch-row"') == PAGE_SIZE
    assert "No batch with this status" in _get(client, url, "state=reconciled")


def test_a_draft_batch_shows_its_whole_total_and_holds_in_constant_queries(money, client_as):
    term, organizer = money["term"], money["people"]["organizer"]
    client = client_as("organizer")
    _owed_participants(term, organizer, 0, 1)
    few = payout_batch_build(term=term, actor=organizer)
    url = reverse("payments:batch_detail", args=[term.slug, few.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    payout_batch_discard(batch=few, actor=organizer)
    _owed_participants(term, organizer, 1, MANY - 1)
    many_batch = payout_batch_build(term=term, actor=organizer)
    with CaptureQueriesContext(connection) as many:
        page = client.get(
            reverse("payments:batch_detail", args=[term.slug, many_batch.pk])
        ).content.decode()

    assert len(many) == len(one), [query["sql"] for query in many]
    assert page.count('class="batch-line"') == PAGE_SIZE
    assert f"Draft total {MANY * term.stipend_cents // 100:}.00" in page
    assert page.count("needs a tax form for") == PAGE_SIZE
    searched = _get(
        client, reverse("payments:batch_detail", args=[term.slug, many_batch.pk]), "q=p003"
    )
    assert searched.count('class="batch-line"') == 1
