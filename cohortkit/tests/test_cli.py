"""The ``cohortkit`` console command, run as a person would run it."""

import json
import subprocess
import sys
from pathlib import Path


def run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cohortkit.cli", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_schedule_solve_and_check_through_the_cohortkit_command(tmp_path):
    instance, solution = tmp_path / "instance.json", tmp_path / "solution.json"

    generated = run("schedule", "generate", "60", "-o", str(instance), "--seed", "1", cwd=tmp_path)
    solved = run(
        "schedule", "solve", str(instance), "-o", str(solution), "--time-limit", "5", cwd=tmp_path
    )
    checked = run("schedule", "check", str(instance), str(solution), cwd=tmp_path)

    assert generated.returncode == 0, generated.stderr
    assert solved.returncode == 0, solved.stderr
    assert checked.returncode == 0 and checked.stdout.startswith("valid:")
    result = json.loads(solution.read_text())
    assert result["objective"] <= result["bound"]


def test_schedule_refuses_an_invalid_instance_with_one_line_and_writes_nothing(tmp_path):
    instance, solution = tmp_path / "instance.json", tmp_path / "solution.json"
    instance.write_text(
        json.dumps(
            {
                "slot_minutes": 30,
                "meeting_slots": 2,
                "section_size": {"min": 9, "max": 4},
                "participants": [],
                "facilitators": [],
            }
        )
    )

    result = run("schedule", "solve", str(instance), "-o", str(solution), cwd=tmp_path)

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "section_size" in result.stderr
    assert not solution.exists()
