import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cohortkit.admissions.models import Answer, Application, ApplicationForm
from cohortkit.admissions.services.importing import (
    ImportRow,
    applications_import,
    applications_import_check,
)
from cohortkit.admissions.services.loading_forms import FormSpecError, application_forms_load
from cohortkit.common.errors import ServiceError
from cohortkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMS = Path(__file__).resolve().parents[1] / "data" / "ml-safety-forms.yaml"


def test_shipped_forms_load_with_the_programs_questions(term):
    forms = application_forms_load(term=term, text=FORMS.read_text())

    participant = next(form for form in forms if form.kind == "participant")
    keys = list(participant.questions.values_list("key", flat=True))
    assert {"deep_learning", "us_work_eligibility", "availability", "time_zone"} <= set(keys)
    level = participant.questions.get(key="background_level")
    assert (level.type, str(level.min_value)) == ("number", "-2.0000000000")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("participant: [1]", "participant: needs a title and a list of questions"),
        ("volunteer: {questions: []}", "unknown form kind volunteer"),
        (
            "participant: {questions: [{key: a, label: A, type: colour}]}",
            "participant.questions[0].type: 'colour' is not one of",
        ),
        (
            "participant: {questions: [{key: a, label: A, type: choice}]}",
            "a choice question needs choices",
        ),
        (
            "participant: {questions: [{key: a, label: A, type: number,"
            " min_value: 5, max_value: 1}]}",
            "max_value: must not be below min_value",
        ),
        (
            "participant: {questions: [{key: a, label: A, type: yes_no},"
            " {key: a, label: B, type: url}]}",
            "duplicate key a",
        ),
        ("participant: {questions: [: bad", "not valid YAML"),
    ],
)
def test_broken_form_files_name_the_field_and_load_nothing(term, text, message):
    with pytest.raises(FormSpecError) as refused:
        application_forms_load(term=term, text=text)

    assert any(message in line for line in refused.value.messages), refused.value.messages
    assert not ApplicationForm.objects.exists()


def test_forms_command(term, capsys):
    call_command("forms", "load", str(FORMS), "--term", term.slug)

    assert "Participant application: 14 questions" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no term with the slug"):
        call_command("forms", "load", str(FORMS), "--term", "nope")


def test_import_dry_run_lists_every_bad_row_and_imports_nothing(term):
    form = next(
        f
        for f in application_forms_load(term=term, text=FORMS.read_text())
        if f.kind == "facilitator"
    )
    good = {
        "deep_learning_background": "Yes",
        "ai_safety_background": "AGISF",
        "tracks": "intro",
        "sections": "2",
        "mode": "virtual",
        "time_zone": "Europe/Berlin",
        "availability": "Mon 18:00-20:00",
    }
    when = dt.datetime(2022, 9, 1, tzinfo=dt.UTC)
    rows = [
        ImportRow(UserFactory(), good, when),
        ImportRow(UserFactory(), good | {"sections": "4"}, when),
        ImportRow(UserFactory(), good | {"availability": "Funday 9-5", "shoe": "44"}, when),
    ]

    problems = applications_import_check(form=form, rows=rows)
    with pytest.raises(ServiceError):
        applications_import(form=form, rows=rows)

    assert [str(problem) for problem in problems] == [
        "row 2, sections: Enter 3 or less.",
        "row 3, shoe: no such question on this form",
        "row 3, availability: “Funday 9-5”: write a day and a time range, like Mon 18:00-21:00.",
    ]
    assert not Application.objects.exists()
    assert applications_import(form=form, rows=rows[:1]) == 1
    assert applications_import(form=form, rows=rows[:1]) == 0  # again: nothing new
    assert Answer.objects.get(question__key="availability").value == [[0, 1080, 1200]]


def test_demo_command_submits_the_population_once(capsys):
    call_command("demo", "--today", "2026-03-02")
    call_command("demo", "--today", "2026-03-02")

    output = capsys.readouterr().out
    assert "Applications: 356 submitted to Spring 2026 (356 new); forms loaded: 4." in output
    assert "Applications: 356 submitted to Spring 2026 (0 new); forms loaded: 0." in output
    assert (
        Application.objects.filter(status="submitted", form__term__name="Spring 2026").count()
        == 356
    )
    negative = Answer.objects.filter(question__key="background_level", number__lt=0)
    assert negative.exists()
