"""``cohortkit schedule solve`` shows its progress (placed, bound, seconds) on a terminal unless
``--quiet``, never when stdout is not a terminal or is the output itself; its usage line names
the command."""

from __future__ import annotations

import json
import sys

import pytest

from cohortkit.scheduling.solver.cli import main
from cohortkit.scheduling.tests.test_edits import INSTANCE


@pytest.fixture
def instance_file(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(INSTANCE))
    return path


def _terminal(monkeypatch, stdout=True, stderr=True):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: stdout)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: stderr)


def test_progress_is_shown_on_a_terminal(instance_file, tmp_path, capsys, monkeypatch):
    _terminal(monkeypatch)

    assert main(["solve", str(instance_file), "-o", str(tmp_path / "out.json")]) == 0

    progress = capsys.readouterr().err
    assert "placed 4, bound 4," in progress
    assert " s (done)" in progress
    assert json.loads((tmp_path / "out.json").read_text())["objective"] == 4


def test_quiet_shows_no_progress(instance_file, tmp_path, capsys, monkeypatch):
    _terminal(monkeypatch)

    main(["solve", str(instance_file), "-o", str(tmp_path / "out.json"), "--quiet"])

    assert capsys.readouterr().err == ""


def test_no_progress_when_stdout_is_not_a_terminal(instance_file, tmp_path, capsys, monkeypatch):
    _terminal(monkeypatch, stdout=False)

    main(["solve", str(instance_file), "-o", str(tmp_path / "out.json")])

    assert capsys.readouterr().err == ""


def test_no_progress_when_the_solution_goes_to_stdout(instance_file, capsys, monkeypatch):
    _terminal(monkeypatch)

    assert main(["solve", str(instance_file), "-o", "-", "--progress"]) == 0

    output = capsys.readouterr()
    assert output.err == ""
    assert json.loads(output.out)["objective"] == 4


def test_the_usage_line_names_cohortkit_schedule_solve(capsys):
    with pytest.raises(SystemExit):
        main(["solve"])

    assert capsys.readouterr().err.startswith("usage: cohortkit schedule solve ")
