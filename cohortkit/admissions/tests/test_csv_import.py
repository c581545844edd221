"""CSV import: a dry run lists every bad row, nothing is imported until all are good, and our
own export imports back to the same answers."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cohortkit.accounts.models import User
from cohortkit.admissions.models import Answer, Application
from cohortkit.admissions.selectors.exporting import ranking_csv_lines
from cohortkit.admissions.selectors.ranking import ranking_rows
from cohortkit.admissions.services.importing import (
    ImportRow,
    applications_csv_import,
    applications_csv_plan,
    applications_import,
)
from cohortkit.admissions.services.loading_forms import application_forms_load
from cohortkit.tests.factories import TermFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMS = Path(__file__).resolve().parents[1] / "data" / "ml-safety-forms.yaml"
GOOD = {
    "deep_learning_background": '=HYPERLINK("http://evil")',  # a formula, typed as text
    "ai_safety_background": "AGISF",
    "tracks": "intro\nadvanced",
    "sections": "2",
    "mode": "virtual",
    "time_zone": "Asia/Kolkata",
    "availability": "Mon 18:00-20:00; Sat 09:00-11:30",
    "website": "",
}


def _facilitator_form(slug):
    term = TermFactory(slug=slug)
    forms = application_forms_load(term=term, text=FORMS.read_text())
    return next(form for form in forms if form.kind == "facilitator")


def test_export_then_import_into_another_term_gives_the_same_answers():
    source = _facilitator_form("source")
    when = dt.datetime(2022, 9, 1, 12, tzinfo=dt.UTC)
    people = [UserFactory(email=f"f{number}@example.org") for number in range(3)]
    applications_import(
        form=source,
        rows=[
            ImportRow(person, GOOD | {"sections": str(number + 1)}, when)
            for number, person in enumerate(people)
        ],
    )
    questions = list(source.questions.all())
    text = "".join(
        ranking_csv_lines(
            form=source, questions=questions, rows=ranking_rows(form=source, with_all_answers=True)
        )
    )
    assert "'=HYPERLINK" in text  # defused in the file
    target = _facilitator_form("target")

    plan = applications_csv_import(form=target, text=text)

    assert plan.problems == []

    def answers(form):
        return sorted(
            Answer.objects.filter(application__form=form).values_list(
                "application__applicant__email", "question__key", "raw"
            )
        )

    assert answers(target) == answers(source)
    assert (
        Answer.objects.get(
            application__form=target,
            application__applicant__email="f0@example.org",
            question__key="deep_learning_background",
        ).raw
        == '=HYPERLINK("http://evil")'
    )
    assert Application.objects.filter(form=target, submitted_at=when).count() == 3


def test_a_row_with_five_problems_reports_all_five():
    form = _facilitator_form("five")
    text = (
        "email,submitted_at,sections,mode,time_zone,availability,deep_learning_background,"
        "ai_safety_background,tracks\n"
        "not-an-email,yesterday,7,boat,Mars/Base,Mon 18:00-19:00,x,y,intro\n"
    )

    plan = applications_csv_plan(form=form, text=text)

    assert plan.problems == [
        "row 2, email: “not-an-email” is not an email address",
        "row 2, submitted_at: Invalid isoformat string: 'yesterday'",
        "row 2, sections: Enter 3 or less.",
        "row 2, mode: Pick one of the options.",
        "row 2, time_zone: Pick a time zone from the list, for example Europe/Berlin.",
    ]
    assert plan.rows == []


def test_the_ranking_csv_of_a_participant_form_with_a_track_question_imports_as_it_is(
    client_as, term, people
):
    forms = application_forms_load(term=term, text=FORMS.read_text())
    source = next(form for form in forms if form.kind == "participant")
    assert source.questions.filter(key="track").exists()  # also a column of the export
    answers = {
        "student": "no",
        "deep_learning": "yes",
        "linear_algebra_statistics": "yes",
        "multivariate_calculus": "some",
        "background_level": "1",
        "track": "advanced",
        "mode": "virtual",
        "us_work_eligibility": "yes",
        "time_zone": "Asia/Kolkata",
        "availability": "Mon 18:00-20:00",
        "motivation": "To make ML safe.",
        "commitment": "yes",
    }
    when = dt.datetime(2022, 9, 1, 12, tzinfo=dt.UTC)
    applications_import(
        form=source, rows=[ImportRow(UserFactory(email="p@example.org"), answers, when)]
    )
    exported = client_as("organizer").get(
        reverse("admissions:ranking_export", args=[term.slug, "participant"])
    )
    text = b"".join(exported.streaming_content).decode()
    header = text.splitlines()[0].split(",")
    assert "track" in header and "answer:track" in header
    target = next(
        form
        for form in application_forms_load(term=TermFactory(slug="again"), text=FORMS.read_text())
        if form.kind == "participant"
    )

    plan = applications_csv_import(form=target, text=text)

    assert plan.problems == []
    imported = Application.objects.get(form=target, applicant__email="p@example.org")
    assert {
        answer.question.key: answer.raw for answer in imported.answers.all() if answer.raw
    } == answers


def test_dry_run_lists_every_bad_row_and_import_writes_nothing():
    form = _facilitator_form("bad")
    text = (
        "email,name,sections,mode,shoe_size,time_zone,availability,deep_learning_background,"
        "ai_safety_background,tracks\n"
        "ok@example.org,Ok,2,virtual,44,UTC,Mon 18:00-19:00,x,y,intro\n"
        "not-an-email,Bad,2,virtual,44,UTC,Mon 18:00-19:00,x,y,intro\n"
        "late@example.org,Late,7,boat,44,Mars/Base,Funday,x,y,intro\n"
        "ok@example.org,Again,1,virtual,44,UTC,Mon 18:00-19:00,x,y,intro\n"
    )

    plan = applications_csv_plan(form=form, text=text)
    imported = applications_csv_import(form=form, text=text)

    assert plan.problems == [
        "row 1, column shoe_size: no such question on this form",
        "row 3, email: “not-an-email” is not an email address",
        "row 4, sections: Enter 3 or less.",
        "row 4, mode: Pick one of the options.",
        "row 4, time_zone: Pick a time zone from the list, for example Europe/Berlin.",
        "row 4, availability: “Funday”: write a day and a time range, like Mon 18:00-21:00.",
        "row 5, email: ok@example.org is already on row 2",
    ]
    assert imported.problems == plan.problems
    assert not Application.objects.exists()
    assert not User.objects.filter(email="ok@example.org").exists()


def test_import_page_checks_then_imports(client_as, term):
    form = next(
        f
        for f in application_forms_load(term=term, text=FORMS.read_text())
        if f.kind == "facilitator"
    )
    header = ",".join(["email", "name", *GOOD])
    row = ",".join(["new@example.org", "New Person", *(f'"{value}"' for value in GOOD.values())])
    organizer = client_as("organizer")
    url = reverse("admissions:applications_import", args=[term.slug, "facilitator"])

    def upload(action):
        file = SimpleUploadedFile("apps.csv", f"{header}\n{row}\n".encode(), "text/csv")
        return organizer.post(url, {"file": file, action: "1"})

    checked = upload("check")
    assert "All 1 row are good" in checked.content.decode()
    assert not Application.objects.exists()
    imported = upload("import")
    assert "Imported 1 application (1 new account)" in imported.content.decode()
    assert Application.objects.get(form=form).applicant.email == "new@example.org"


def test_import_command_dry_run_and_errors(term, tmp_path, capsys):
    application_forms_load(term=term, text=FORMS.read_text())
    path = tmp_path / "apps.csv"
    path.write_text("email,sections\nx@example.org,9\n")

    with pytest.raises(CommandError, match="row 2, sections: Enter 3 or less"):
        call_command(
            "applications",
            "import",
            str(path),
            "--term",
            term.slug,
            "--kind",
            "facilitator",
            "--dry-run",
        )
    assert not Application.objects.exists()
