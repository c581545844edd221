"""A published section whose facilitator an organizer removed: a re-solve does not keep it
locked (it has nobody to lead it) and says so; its members stay in it until it is published
anew."""

from __future__ import annotations

import pytest

from cohortkit.scheduling.selectors.instances import instance_build_with_notes
from cohortkit.scheduling.services.publishing import run_publish
from cohortkit.scheduling.services.runs import schedule_run_create
from cohortkit.sections.models import Section
from cohortkit.sections.removing import section_facilitator_remove

pytestmark = pytest.mark.django_db


def test_a_section_without_a_facilitator_is_not_kept_by_a_re_solve(
    fall, new_york_section, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = schedule_run_create(term=fall, actor=people["organizer"], time_limit_seconds=3)
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        run_publish(run=run, actor=people["organizer"], grant_roles=True)
    (section,) = Section.objects.filter(term=fall)
    section_facilitator_remove(section=section, actor=people["organizer"])

    built = instance_build_with_notes(term=fall)

    assert not built.instance.locked
    assert f"{section.name} has no facilitator; it is not kept." in built.notes
    assert section.memberships.filter(to_week__isnull=True).count() == 4
