from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from cohortkit.common.models import AuditEvent
from cohortkit.programs.curriculum.applying import curriculum_import
from cohortkit.programs.curriculum.exporting import curriculum_data, curriculum_export
from cohortkit.programs.curriculum.parsing import CurriculumError
from cohortkit.programs.models import Assignment, Lecture, Reading, Track, Week
from cohortkit.tests.factories import TermFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"

SMALL = """\
tracks:
  - slug: intro
    name: Introductory
    audience: New to ML safety
  - slug: advanced
    name: Advanced
weeks:
  - number: 1
    title: Background
    lectures:
      - title: Introduction
        module: Background
        video_url: https://course.mlsafety.org/
        minutes: 20
    readings:
      - title: Unsolved Problems in ML Safety
        url: https://arxiv.org/abs/2109.13916
        minutes: 60
      - title: ResNet
        tracks: [intro]
        url: https://arxiv.org/abs/1512.03385
        minutes: 30
        required: false
  - number: 2
    title: Robustness
    assignments:
      - title: Threat models
        prompt: |-
          Describe the threat model.

          Then attack it.
        minutes: 90
    quizzes:
      - title: Week 2 quiz
    discussion_guides:
      - title: Week 2 discussion
        body: Ask about threat models.
"""


def _errors(term, text):
    with pytest.raises(CurriculumError) as caught:
        curriculum_import(term=term, text=text)
    return caught.value.messages


def _nothing_written(term):
    return not Week.objects.filter(term=term).exists() and not Track.objects.filter(term=term)


def test_import_creates_tracks_weeks_and_items_with_default_tracks():
    term = TermFactory()

    summary = curriculum_import(term=term, text=SMALL)

    assert summary.weeks == 2
    assert summary.items["readings"] == 2
    assert [track.slug for track in term.tracks.all()] == ["intro", "advanced"]
    paper = Reading.objects.get(title="Unsolved Problems in ML Safety")
    assert sorted(track.slug for track in paper.tracks.all()) == ["advanced", "intro"]
    resnet = Reading.objects.get(title="ResNet")
    assert [track.slug for track in resnet.tracks.all()] == ["intro"]
    assert resnet.required is False
    assert Assignment.objects.get().prompt == "Describe the threat model.\n\nThen attack it."
    assert AuditEvent.objects.filter(action="term.curriculum_imported").count() == 1


def test_round_trip_import_export_import_gives_identical_data():
    first, second = TermFactory(), TermFactory()
    curriculum_import(term=first, text=(DATA / "ml-safety-curriculum.yaml").read_text())
    exported = curriculum_export(term=first)

    curriculum_import(term=second, text=exported)

    assert curriculum_data(term=second) == curriculum_data(term=first)
    assert curriculum_export(term=second) == exported


def test_importing_the_same_file_again_changes_nothing():
    term = TermFactory()
    curriculum_import(term=term, text=SMALL)
    lecture_id = Lecture.objects.get().pk

    summary = curriculum_import(term=term, text=SMALL)

    assert not summary.changed
    assert Lecture.objects.get().pk == lecture_id
    assert AuditEvent.objects.filter(action="term.curriculum_imported").count() == 1


def test_import_replaces_weeks_and_items_the_file_no_longer_has():
    term = TermFactory()
    curriculum_import(term=term, text=SMALL)
    shorter = SMALL.split("  - number: 2")[0]

    summary = curriculum_import(term=term, text=shorter)

    assert list(Week.objects.filter(term=term).values_list("number", flat=True)) == [1]
    assert not Assignment.objects.exists()
    assert summary.deleted == 1


def test_bad_yaml_syntax_names_its_line_and_writes_nothing():
    term = TermFactory()
    broken = SMALL.replace("    title: Robustness", "    title: [Robustness")

    messages = _errors(term, broken)

    assert len(messages) == 1
    assert messages[0].startswith("line ")
    assert "not valid YAML" in messages[0]
    assert _nothing_written(term)


def test_wrong_type_names_line_and_field():
    term = TermFactory()
    text = SMALL.replace("        minutes: 30\n", '        minutes: "ten"\n')

    messages = _errors(term, text)

    line = text.splitlines().index('        minutes: "ten"') + 1
    assert messages == [
        f"line {line}: weeks[0].readings[1].minutes: "
        'must be a whole number of minutes ≥ 1, got "ten"'
    ]
    assert _nothing_written(term)


def test_negative_minutes_and_bad_url_are_reported_together():
    term = TermFactory()
    text = SMALL.replace("minutes: 20", "minutes: -5").replace(
        "https://arxiv.org/abs/2109.13916", "arxiv 2109.13916"
    )

    messages = _errors(term, text)

    assert any(
        "weeks[0].lectures[0].minutes: must be a whole number of minutes ≥ 1, got -5" in m
        for m in messages
    )
    assert any("weeks[0].readings[0].url: must be a web address" in m for m in messages)
    assert _nothing_written(term)


def test_unknown_track_names_the_known_ones():
    term = TermFactory()
    text = SMALL.replace("tracks: [intro]", "tracks: [beginner]")

    messages = _errors(term, text)

    line = text.splitlines().index("        tracks: [beginner]") + 1
    assert messages == [
        f'line {line}: weeks[0].readings[1].tracks[0]: unknown track "beginner"; '
        "known tracks: advanced, intro"
    ]
    assert _nothing_written(term)


def test_unknown_key_is_refused_with_the_keys_allowed():
    term = TermFactory()
    text = SMALL.replace("        module: Background\n", "        modul: Background\n")

    messages = _errors(term, text)

    line = text.splitlines().index("        modul: Background") + 1
    assert len(messages) == 1
    assert messages[0].startswith(f"line {line}: weeks[0].lectures[0].modul: unknown key;")
    assert "module" in messages[0]


def test_duplicate_week_number_and_week_beyond_the_term():
    term = TermFactory()  # 8 weeks
    text = SMALL.replace("  - number: 2", "  - number: 1") + "  - number: 9\n    title: Extra\n"

    messages = _errors(term, text)

    lines = text.splitlines()
    assert messages == [
        f"line {lines.index('  - number: 1', 8) + 1}: weeks[1].number: "
        "week 1 is already defined on line 8",
        f"line {lines.index('  - number: 9') + 1}: weeks[2].number: "
        "the term has 8 weeks, so there is no week 9",
    ]
    assert _nothing_written(term)


def test_missing_required_field_names_the_item():
    term = TermFactory()
    text = SMALL.replace("        body: Ask about threat models.\n", "")

    messages = _errors(term, text)

    assert len(messages) == 1
    assert "weeks[1].discussion_guides[0]: the key body is missing" in messages[0]


def test_a_broken_file_leaves_the_previous_curriculum_in_place():
    term = TermFactory()
    curriculum_import(term=term, text=SMALL)

    _errors(term, SMALL.replace("title: Background", "title: [Background"))

    assert Week.objects.filter(term=term).count() == 2
    assert Reading.objects.filter(week__term=term).count() == 2


def test_shipped_curriculum_has_eight_weeks_23_lectures_and_about_an_hour_a_week():
    term = TermFactory()

    curriculum_import(term=term, text=(DATA / "ml-safety-curriculum.yaml").read_text())

    assert Week.objects.filter(term=term).count() == 8
    assert Lecture.objects.filter(week__term=term).count() == 23
    assert [track.slug for track in term.tracks.all()] == ["intro", "advanced"]
    for week in Week.objects.filter(term=term):
        lecture_minutes = sum(lecture.minutes for lecture in week.lectures.all())
        assert 45 <= lecture_minutes <= 75, week
        assert week.assignments.count() == 1
        assert week.quizs.count() == 1
        assert week.discussionguides.count() == 1
        for track in term.tracks.all():
            required = week.readings.filter(required=True, tracks=track)
            reading_minutes = sum(reading.minutes for reading in required)
            assert 45 <= reading_minutes <= 150, (week, track)
    assert Reading.objects.filter(week__term=term, required=False).exists()
    urls = Reading.objects.filter(week__term=term).values_list("url", flat=True)
    assert all(url.startswith("https://arxiv.org/abs/") for url in urls)
    assert "https://arxiv.org/abs/2109.13916" in urls


def test_import_command_reports_every_problem_with_exit_status_2(tmp_path):
    term = TermFactory()
    path = tmp_path / "broken.yaml"
    path.write_text(SMALL.replace("minutes: 20", "minutes: zero").replace("[intro]", "[x]"))

    with pytest.raises(CommandError) as caught:
        call_command("curriculum", "import", str(path), "--term", term.slug)

    assert caught.value.returncode == 2
    message = str(caught.value)
    assert "2 problem(s); nothing was imported" in message
    assert f"{path}: line 14: weeks[0].lectures[0].minutes:" in message
    assert 'unknown track "x"' in message
    assert _nothing_written(term)


def test_import_and_export_commands(tmp_path, capsys):
    term = TermFactory()
    source = tmp_path / "curriculum.yaml"
    source.write_text(SMALL)
    exported = tmp_path / "exported.yaml"

    call_command("curriculum", "import", str(source), "--term", term.slug)
    call_command("curriculum", "export", "--term", term.slug, "-o", str(exported))
    call_command("curriculum", "export", "--term", term.slug)

    output = capsys.readouterr().out
    assert f"Imported {source} into" in output
    assert "2 weeks (1 lectures, 2 readings, 1 assignments" in output
    assert yaml.safe_load(exported.read_text())["weeks"][1]["title"] == "Robustness"
    assert "title: Week 2 discussion" in output


def test_commands_refuse_an_unknown_term():
    with pytest.raises(CommandError) as caught:
        call_command("curriculum", "export", "--term", "no-such-term")

    assert caught.value.returncode == 2
    assert "no term with the slug 'no-such-term'" in str(caught.value)
