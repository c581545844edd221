import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cohortkit.programs.models import Lecture, Program, Reading, Term, Week
from cohortkit.programs.term_loader import (
    TERM_KEYS,
    TermFileError,
    term_load,
    term_load_with_summary,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
FALL_2022 = (DATA / "ml-safety-fall-2022.yaml").read_text()

SMALL = """\
program:
  slug: example-course
  name: Example course
  prerequisites: [Algebra]
term:
  slug: example-spring
  name: Spring
  time_zone: Europe/Berlin
  starts_on: 2023-03-06
  ends_on: 2023-04-28
  deadline_time_zone: AoE
  participant_deadline: 2023-02-20
  facilitator_deadline: "2023-02-15 17:00"
  stipend: "250.50"
  stipend_currency: EUR
curriculum:
  tracks:
    - slug: main
      name: Main
  weeks:
    - number: 1
      title: Start
      lectures:
        - title: Hello
          minutes: 30
"""


def _errors(text, **kwargs):
    with pytest.raises(TermFileError) as caught:
        term_load(text=text, **kwargs)
    return caught.value.messages


def _line_of(text, fragment):
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_fall_2022_loads_with_its_deadlines_anywhere_on_earth_and_its_curriculum():
    term = term_load(text=FALL_2022, base_directory=DATA)

    # "Sep 21 AoE" ends at 2022-09-22 00:00 in UTC-12, which is noon UTC.
    assert term.participant_deadline == dt.datetime(2022, 9, 22, 12, 0, tzinfo=dt.UTC)
    assert term.facilitator_deadline == dt.datetime(2022, 9, 19, 12, 0, tzinfo=dt.UTC)
    assert term.deadline_time_zone == "Etc/GMT+12"
    assert (term.starts_on, term.ends_on, term.week_count) == (
        dt.date(2022, 9, 26),
        dt.date(2022, 11, 18),
        8,
    )
    assert (term.stipend_cents, term.stipend_currency, term.facilitator_rate_cents) == (
        100_000,
        "USD",
        3_000,
    )
    assert (term.completion_min_meetings, term.completion_min_assignments) == (7, 7)
    assert term.program.prerequisites == [
        "Deep learning",
        "Linear algebra or introductory statistics",
        "Multivariate differential calculus",
    ]
    assert "apply anyway" in term.program.prerequisites_note
    assert Week.objects.filter(term=term).count() == 8
    assert Lecture.objects.filter(week__term=term).count() == 23


def test_loading_the_same_file_again_updates_in_place_and_duplicates_nothing():
    term_load(text=FALL_2022, base_directory=DATA)
    counts = (Program.objects.count(), Term.objects.count(), Week.objects.count())

    summary = term_load_with_summary(text=FALL_2022, base_directory=DATA)

    assert (Program.objects.count(), Term.objects.count(), Week.objects.count()) == counts
    assert summary.describe().splitlines()[:2] == [
        "Program introduction-to-ml-safety: unchanged",
        "Term ml-safety-fall-2022 (Fall 2022): unchanged",
    ]
    assert summary.curriculum is not None and not summary.curriculum.changed


def test_a_changed_file_updates_the_term_it_names():
    term_load(text=FALL_2022, base_directory=DATA)

    summary = term_load_with_summary(
        text=FALL_2022.replace("meeting_minutes: 60", "meeting_minutes: 90"), base_directory=DATA
    )

    assert summary.term_fields_changed == ["meeting_minutes"]
    assert Term.objects.get(slug="ml-safety-fall-2022").meeting_minutes == 90


def test_inline_curriculum_money_in_cents_and_a_wall_clock_deadline():
    term = term_load(text=SMALL)

    assert term.stipend_cents == 25_050
    # 17:00 in UTC-12 is 05:00 UTC the next day.
    assert term.facilitator_deadline == dt.datetime(2023, 2, 16, 5, 0, tzinfo=dt.UTC)
    assert term.time_zone == "Europe/Berlin"
    assert [track.slug for track in term.tracks.all()] == ["main"]
    assert Lecture.objects.get().title == "Hello"


def test_deadline_with_an_offset_is_that_instant():
    text = SMALL.replace('"2023-02-15 17:00"', '"2023-02-15T17:00:00+01:00"')

    term = term_load(text=text)

    assert term.facilitator_deadline == dt.datetime(2023, 2, 15, 16, 0, tzinfo=dt.UTC)


def test_every_problem_is_reported_with_line_and_field_and_nothing_is_written():
    text = (
        SMALL.replace("time_zone: Europe/Berlin", "time_zone: Europe/Atlantis")
        .replace('stipend: "250.50"', "stipend: 250.505")
        .replace("participant_deadline: 2023-02-20", "participant_deadline: 2023-03-10")
        .replace("  stipend_currency: EUR\n", "  stipend_currency: EUR\n  colour: blue\n")
        .replace("          minutes: 30", "          minutes: ten")
    )

    messages = _errors(text)

    assert messages == [
        f"line {_line_of(text, 'colour')}: term.colour: unknown key; expected one of: "
        + ", ".join(TERM_KEYS),
        f"line {_line_of(text, 'Atlantis')}: term.time_zone: must be an IANA time zone like "
        'Europe/Berlin, got "Europe/Atlantis"',
        f"line {_line_of(text, 'stipend:')}: term.stipend: must be an amount like "
        '"1000.00", got "250.505": Use at most two decimal places (EUR).',
        f"line {_line_of(text, 'participant_deadline')}: term.participant_deadline: must "
        "close before the term starts on 2023-03-06, got 2023-03-11 12:00 UTC",
        f"line {_line_of(text, 'minutes: ten')}: curriculum.weeks[0].lectures[0].minutes: "
        'must be a whole number of minutes ≥ 1, got "ten"',
    ]
    assert not Program.objects.exists()
    assert not Term.objects.exists()


def test_errors_in_the_curriculum_file_name_that_file(tmp_path):
    (tmp_path / "curriculum.yaml").write_text("weeks:\n  - number: 1\n    title: [x\n")
    text = SMALL.split("curriculum:")[0] + "curriculum_file: curriculum.yaml\n"

    messages = _errors(text, base_directory=tmp_path)

    assert len(messages) == 1
    assert messages[0].startswith("curriculum.yaml: line 4: not valid YAML")
    assert not Term.objects.exists()


def test_a_missing_curriculum_file_is_reported_on_its_line(tmp_path):
    text = SMALL.split("curriculum:")[0] + "curriculum_file: nowhere.yaml\n"

    messages = _errors(text, base_directory=tmp_path)

    assert len(messages) == 1
    assert messages[0].startswith(f"line {_line_of(text, 'nowhere')}: curriculum_file: cannot read")


def test_bad_yaml_syntax_in_the_term_file():
    messages = _errors("program:\n  slug: x\n term: oops\n")

    assert len(messages) == 1
    assert messages[0].startswith("line 3: not valid YAML")


def test_overrides_win_over_the_file_and_are_checked_too():
    overrides = {
        "slug": "example-summer",
        "name": "Summer",
        "starts_on": dt.date(2023, 6, 5),
        "ends_on": dt.date(2023, 7, 28),
        "participant_deadline": dt.date(2023, 5, 26),
        "facilitator_deadline": dt.date(2023, 5, 23),
    }

    term = term_load(text=SMALL, overrides=overrides)

    assert (term.slug, term.name, term.starts_on) == (
        "example-summer",
        "Summer",
        dt.date(2023, 6, 5),
    )
    assert term.participant_deadline == dt.datetime(2023, 5, 27, 12, 0, tzinfo=dt.UTC)
    late = {**overrides, "slug": "late", "participant_deadline": dt.date(2023, 6, 10)}
    assert _errors(SMALL, overrides=late) == [
        "overrides: participant_deadline: must close before the term starts on 2023-06-05, "
        "got 2023-06-11 12:00 UTC"
    ]
    assert not Term.objects.filter(slug="late").exists()


def test_term_load_command_prints_what_it_did(tmp_path, capsys):
    call_command("term", "load", str(DATA / "ml-safety-fall-2022.yaml"))
    call_command("term", "load", str(DATA / "ml-safety-fall-2022.yaml"))

    output = capsys.readouterr().out.splitlines()
    assert output[:2] == [
        "Program introduction-to-ml-safety: created",
        "Term ml-safety-fall-2022 (Fall 2022): created",
    ]
    assert output[2].startswith("Curriculum: 8 weeks (23 lectures,")
    assert "Term ml-safety-fall-2022 (Fall 2022): unchanged" in output
    assert Reading.objects.filter(week__term__slug="ml-safety-fall-2022").count() == 28


def test_term_load_command_exits_with_status_2_on_errors(tmp_path):
    path = tmp_path / "term.yaml"
    path.write_text(SMALL.replace("starts_on: 2023-03-06", "starts_on: next monday"))

    with pytest.raises(CommandError) as caught:
        call_command("term", "load", str(path))

    assert caught.value.returncode == 2
    assert (
        f'{path}: line 9: term.starts_on: must be a date like 2022-09-26, got "next monday"'
        in str(caught.value)
    )
    assert not Term.objects.exists()


def test_zones_left_out_default_to_the_terms_defaults():
    text = SMALL.replace("  time_zone: Europe/Berlin\n", "").replace(
        "  deadline_time_zone: AoE\n", ""
    )

    term = term_load(text=text)

    assert (term.time_zone, term.deadline_time_zone) == (
        "America/Los_Angeles",
        "America/Los_Angeles",
    )
    # The end of 2023-02-20 in Los Angeles (UTC−08:00).
    assert term.participant_deadline == dt.datetime(2023, 2, 21, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("currency", "stipend", "minor"),
    [("EUR", '"250.50"', 25_050), ("JPY", "150000", 150_000), ("KWD", '"300.125"', 300_125)],
)
def test_amounts_are_read_in_the_minor_unit_of_the_terms_currency(currency, stipend, minor):
    text = SMALL.replace('stipend: "250.50"', f"stipend: {stipend}").replace(
        "stipend_currency: EUR", f"stipend_currency: {currency}"
    )
    term = term_load(text=text)
    assert (term.stipend_cents, term.stipend_currency) == (minor, currency)


def test_an_amount_finer_than_the_currency_is_refused_where_it_is_written():
    text = SMALL.replace('stipend: "250.50"', 'stipend: "1500.5"').replace(
        "stipend_currency: EUR", "stipend_currency: JPY"
    )
    assert _errors(text) == [
        f"line {_line_of(text, 'stipend:')}: term.stipend: must be an amount like "
        '"1000", got "1500.5": JPY has no minor unit: use a whole number.'
    ]
    assert not Term.objects.exists()
