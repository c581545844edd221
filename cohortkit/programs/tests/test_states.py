"""Term states: a draft until published, open and running by the dates, finished (read-only but
money and certificates) and archived (read-only, hidden) by the organizer; refused everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cohortkit.accounts.services import api_token_create
from cohortkit.admissions.services.applying import application_save_draft
from cohortkit.admissions.services.deciding import decision_stage
from cohortkit.admissions.services.reviewing import review_submit
from cohortkit.admissions.tests.factories import SubmittedApplicationFactory
from cohortkit.common.errors import ConflictError, TooLateError
from cohortkit.common.models import AuditEvent
from cohortkit.programs.copying import term_copy
from cohortkit.programs.models import Term
from cohortkit.programs.states import (
    FINISHED_MESSAGE,
    TermState,
    term_archive,
    term_finish,
    term_publish,
    term_reopen,
    term_state,
)
from cohortkit.sections.attendance import Mark, attendance_record
from cohortkit.sections.models import AttendanceStatus
from cohortkit.tests.factories import ApplicationFormFactory, TermFactory

pytestmark = pytest.mark.django_db

# The fixtures' Fall 2022 runs Mon 26 Sep – Fri 18 Nov 2022 in Los Angeles.
BEFORE = dt.datetime(2022, 9, 1, tzinfo=dt.UTC)
DURING = dt.datetime(2022, 10, 10, tzinfo=dt.UTC)
LAST_DAY_EVENING = dt.datetime(2022, 11, 19, 7, 59, tzinfo=dt.UTC)  # 23:59 on 18 Nov, Pacific
AFTER = dt.datetime(2022, 11, 19, 8, 0, tzinfo=dt.UTC)


def _finished(term: Term, organizer) -> Term:
    return term_finish(term=term, actor=organizer, now=AFTER)


def test_states_follow_the_stored_choices_and_the_dates(term, people):
    organizer = people["organizer"]
    draft = TermFactory(is_published=False)
    assert term_state(draft, DURING) is TermState.DRAFT
    assert term_state(term, BEFORE) is TermState.OPEN
    assert term_state(term, DURING) is TermState.RUNNING
    # The last day over, the term still runs until an organizer finishes it.
    assert term_state(term, AFTER) is TermState.RUNNING

    with pytest.raises(TooLateError, match="last day is over"):
        term_finish(term=term, actor=organizer, now=LAST_DAY_EVENING)
    term = _finished(term, organizer)
    assert term_state(term) is TermState.FINISHED
    term = term_archive(term=term, actor=organizer)
    assert term_state(term) is TermState.ARCHIVED
    assert [event.action for event in AuditEvent.objects.order_by("pk")] == [
        "term.finished",
        "term.archived",
    ]
    with pytest.raises(ConflictError):
        term_publish(term=term, actor=organizer)


def test_a_copied_term_is_a_draft_until_the_organizer_publishes_it(term, people, client_as):
    organizer = people["organizer"]
    spring = term_copy(
        source=term,
        slug="next-2023",
        name="Spring 2023 (copy)",
        starts_on=dt.date(2023, 3, 6),
        parts=set(),
        actor=organizer,
    )
    assert term_state(spring) is TermState.DRAFT
    page = reverse("programs:term_detail", args=[spring.slug])
    assert client_as("applicant").get(page).status_code == 404
    assert spring.slug not in client_as("anonymous").get(reverse("programs:home")).text
    # term_copy made the organizer an organizer of the copy only with the staff part; grant it.
    from cohortkit.accounts.models import Membership, Role

    Membership.objects.get_or_create(user=organizer, term=spring, role=Role.ORGANIZER)
    organizer_client = client_as("organizer")
    state_page = organizer_client.get(reverse("programs:term_state", args=[spring.slug]))
    assert "This term is <strong>draft</strong>" in state_page.text

    response = organizer_client.post(
        reverse("programs:term_state", args=[spring.slug]), {"action": "publish"}, follow=True
    )

    assert "The term is published" in response.text
    assert "Open for applications" in response.text
    assert client_as("applicant").get(page).status_code == 200
    assert AuditEvent.objects.filter(action="term.published", target_id=str(spring.pk)).exists()


def test_the_state_is_shown_on_the_term_page_and_in_the_lists(term, people, client):
    response = client.get(reverse("programs:term_detail", args=[term.slug]))
    assert 'data-testid="term-state"' in response.text
    assert "Running" in response.text
    _finished(term, people["organizer"])

    home = client.get(reverse("programs:home")).text

    assert "Finished" in home


def test_the_api_gives_the_state(term, people, client):
    token = api_token_create(user=people["organizer"])
    _finished(term, people["organizer"])

    response = client.get(
        f"/api/v1/terms/{term.slug}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.json()["state"] == "finished"


def test_a_finished_term_refuses_writes_on_pages_and_the_api_but_money(term, people, client_as):
    organizer = client_as("organizer")
    _finished(term, people["organizer"])

    settings_post = organizer.post(reverse("programs:term_settings", args=[term.slug]), {})
    money_post = organizer.post(reverse("payments:pay_settings", args=[term.slug]), {})
    token = api_token_create(user=people["applicant"])
    api_put = client_as("anonymous").put(
        f"/api/v1/terms/{term.slug}/forms/participant/application",
        data={"answers": {}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert settings_post.status_code == 403
    assert FINISHED_MESSAGE in settings_post.text
    assert FINISHED_MESSAGE not in money_post.text
    assert money_post.status_code != 403
    assert api_put.status_code == 403
    assert api_put.json() == {"detail": FINISHED_MESSAGE}
    # Reading stays open.
    assert organizer.get(reverse("programs:term_settings", args=[term.slug])).status_code == 200


def test_the_main_services_refuse_a_finished_term(term, people, sections):
    _finished(term, people["organizer"])
    form = ApplicationFormFactory(term=term, kind="participant")
    application = SubmittedApplicationFactory(form=form)
    meeting = sections["a"].meetings.get(week=1)

    with pytest.raises(TooLateError, match="finished"):
        application_save_draft(form=form, user=people["applicant"], raw_answers={})
    with pytest.raises(TooLateError, match="finished"):
        review_submit(application=application, reviewer=people["reviewer"], scores={})
    with pytest.raises(TooLateError, match="finished"):
        decision_stage(application=application, outcome="reject", actor=people["organizer"])
    with pytest.raises(TooLateError, match="finished"):
        attendance_record(
            meeting=meeting,
            actor=people["facilitator"],
            marks={people["participant"].pk: Mark(AttendanceStatus.PRESENT)},
            now=AFTER,
        )


def test_a_reopened_term_takes_writes_again(term, people, client_as):
    _finished(term, people["organizer"])
    term_reopen(term=term, actor=people["organizer"])

    response = client_as("organizer").post(reverse("programs:term_settings", args=[term.slug]), {})

    assert FINISHED_MESSAGE not in response.text


def test_an_archived_term_is_hidden_and_refuses_even_money(term, people, client_as):
    organizer = people["organizer"]
    term_archive(term=_finished(term, organizer), actor=organizer)

    home = client_as("participant").get(reverse("programs:home")).text
    outsider = client_as("applicant").get(reverse("programs:term_detail", args=[term.slug]))
    money = client_as("organizer").post(reverse("payments:pay_settings", args=[term.slug]), {})
    restore = client_as("organizer").post(
        reverse("programs:term_state", args=[term.slug]), {"action": "unarchive"}
    )

    assert term.name not in home
    assert outsider.status_code == 404
    assert money.status_code == 403
    assert "archived" in money.text
    assert restore.status_code == 302
    term.refresh_from_db()
    assert term_state(term) is TermState.FINISHED


def test_only_organizers_change_the_state(term, client_as):
    url = reverse("programs:term_state", args=[term.slug])

    assert client_as("facilitator").post(url, {"action": "finish"}).status_code == 403
    assert client_as("applicant").post(url, {"action": "finish"}).status_code == 404
