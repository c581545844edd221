"""Retention: applications of people never admitted are anonymised N months after the term ends,
by the scheduled work; admitted people's are kept. Dates, not sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from cohortkit.accounts.models import Role
from cohortkit.accounts.personal_data import ERASED_NAME
from cohortkit.admissions.models import Answer, Application, Enrollment
from cohortkit.admissions.personal_data import applications_anonymise_expired, months_after
from cohortkit.common.periodic import periodic_run_due, registered_jobs
from cohortkit.tests.factories import (
    ApplicationFormFactory,
    FormQuestionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Fall 2022 ends at the end of Fri 18 Nov 2022 in Los Angeles (08:00 UTC on the 19th).
ENDED = dt.datetime(2022, 11, 19, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def applications(term):
    form = ApplicationFormFactory(term=term, kind="participant")
    question = FormQuestionFactory(form=form)
    rejected, admitted = UserFactory(name="Rita Rejected"), UserFactory(name="Ada Admitted")
    MembershipFactory(term=term, user=admitted, role=Role.PARTICIPANT)
    for person in (rejected, admitted):
        application = Application.objects.create(form=form, applicant=person)
        Answer.objects.create(application=application, question=question, raw="About me")
    Enrollment.objects.create(
        term=term, user=rejected, role="participant", status="waitlisted", waitlist_rank=1
    )
    return {"rejected": rejected, "admitted": admitted, "form": form}


def test_nothing_is_anonymised_before_the_retention_is_over(applications):
    assert (
        applications_anonymise_expired(now=months_after(ENDED, 12) - dt.timedelta(seconds=1)) == 0
    )
    assert Application.objects.filter(applicant=applications["rejected"]).exists()


def test_never_admitted_applications_are_anonymised_after_twelve_months(applications):
    rejected, admitted = applications["rejected"], applications["admitted"]

    count = applications_anonymise_expired(now=months_after(ENDED, 12))

    assert count == 1
    assert not Application.objects.filter(applicant=rejected).exists()
    moved = Application.objects.exclude(applicant=admitted).get()
    assert moved.applicant.name == ERASED_NAME and not moved.applicant.is_active
    assert not Answer.objects.filter(application=moved).exists()
    assert not Enrollment.objects.filter(user=rejected).exists()
    assert Enrollment.objects.get().user == moved.applicant
    # The admitted person's application is theirs, answers and all; the person stays on the site.
    assert Answer.objects.filter(application__applicant=admitted).count() == 1
    rejected.refresh_from_db()
    assert rejected.name == "Rita Rejected"
    # Running again changes nothing.
    assert applications_anonymise_expired(now=months_after(ENDED, 13)) == 0


def test_the_term_sets_its_own_retention(applications, term):
    term.retention_months = 3
    term.save()

    assert applications_anonymise_expired(now=months_after(ENDED, 3)) == 1


def test_the_scheduled_work_runs_it(applications):
    jobs = [job for job in registered_jobs() if job.name == "admissions.retention"]
    assert "admissions.retention" in settings.PERIODIC_JOBS

    ran = periodic_run_due(worker="w1", now=months_after(ENDED, 12), jobs=jobs)

    assert ran == ["admissions.retention"]
    assert not Application.objects.filter(applicant=applications["rejected"]).exists()


def test_months_after_keeps_the_day_or_takes_the_last():
    assert months_after(dt.datetime(2023, 1, 31, tzinfo=dt.UTC), 1).date() == dt.date(2023, 2, 28)
    assert months_after(dt.datetime(2022, 11, 19, tzinfo=dt.UTC), 14).date() == dt.date(2024, 1, 19)
