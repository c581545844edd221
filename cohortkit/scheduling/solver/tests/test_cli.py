"""The command line: exit codes 0, 1 and 2, and nothing written when the instance is invalid."""

from __future__ import annotations

import json

from cohortkit.scheduling.solver.cli import main
from cohortkit.scheduling.solver.tests.builders import instance_data, leader, person


def _write(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_solve_writes_a_solution_and_check_accepts_it(tmp_path, capsys):
    instance = _write(
        tmp_path / "instance.json",
        instance_data([person(f"p{number}") for number in range(3)], [leader("f1")]),
    )
    output = tmp_path / "solution.json"

    solved = main(["solve", str(instance), "-o", str(output), "--time-limit", "5"])
    checked = main(["check", str(instance), str(output)])

    assert solved == 0
    written = json.loads(output.read_text(encoding="utf-8"))
    assert written["objective"] == 3
    assert written["status"] == "optimal"
    assert [len(section["participants"]) for section in written["sections"]] == [3]
    assert checked == 0
    assert capsys.readouterr().out.startswith("valid: 3 placed in 1 sections")


def test_invalid_instance_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    instance = _write(
        tmp_path / "instance.json",
        instance_data([person("p0"), person("p1", track="advnced")], [leader("f1")]),
    )
    output = tmp_path / "solution.json"

    status = main(["solve", str(instance), "-o", str(output)])

    assert status == 2
    assert capsys.readouterr().err == 'participants[1].track: unknown track "advnced"\n'
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [instance]


def test_unreadable_json_exits_2(tmp_path, capsys):
    instance = tmp_path / "instance.json"
    instance.write_text("{not json", encoding="utf-8")

    status = main(["solve", str(instance), "-o", str(tmp_path / "out.json")])

    assert status == 2
    assert capsys.readouterr().err.startswith("instance: not valid JSON")


def test_check_exits_1_listing_every_violation(tmp_path, capsys):
    instance = _write(
        tmp_path / "instance.json",
        instance_data([person(f"p{number}") for number in range(3)], [leader("f1")]),
    )
    bad = {
        "sections": [
            {
                "facilitator": "f1",
                "start": 84,
                "track": "intro",
                "location": None,
                "participants": ["p0", "p0", "p1", "p2", "p9"],
            }
        ],
        "unplaced": [],
        "objective": 3,
        "bound": 3,
        "status": "optimal",
        "seconds": 0.1,
    }
    solution = _write(tmp_path / "solution.json", bad)

    status = main(["check", str(instance), str(solution)])

    assert status == 1
    lines = capsys.readouterr().out.splitlines()
    assert "f1's intro section at Tue 18:00 UTC (virtual): unknown participant p9" in lines
    assert any("5 members, more than the maximum 4" in line for line in lines)
    assert "p0 is placed 2 times" in lines
