"""Production settings pass Django's deployment checklist, started the way an operator would."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {"DJANGO_SETTINGS_MODULE": "cohortkit.settings"} | extra_env
    return subprocess.run(
        [sys.executable, "-m", "cohortkit.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run_check(
        {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "courses.example.org"}
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set unless DEBUG=1"),
        ({"SECRET_KEY": "x" * 60, "DEBUG": "maybe"}, "DEBUG='maybe' is not a yes/no value"),
        ({"SECRET_KEY": "x" * 60, "EMAIL_PORT": "smtp"}, "EMAIL_PORT='smtp' is not a whole number"),
    ],
)
def test_bad_environment_stops_the_start_with_a_message_naming_the_variable(env, message):
    result = _run_check(env)

    assert result.returncode != 0
    assert message in result.stderr
