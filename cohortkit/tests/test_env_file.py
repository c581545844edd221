"""The checkout's ``cohortkit`` command after ``make demo``: settings from a local ``.env``, and a
missing setting as one line on stderr (exit status 2), never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLEARED = {
    "DEBUG",
    "HTTPS",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "EMAIL_BACKEND",
    "DATABASE_URL",
}


def cohortkit(*arguments: str, env_file: Path | str, **extra: str):
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env |= {"COHORTKIT_ENV_FILE": str(env_file)} | extra
    return subprocess.run(
        [sys.executable, "-m", "cohortkit.cli", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def demo_env_file(tmp_path) -> Path:
    """The .env that `make demo` writes, made by the Makefile's own recipe."""
    path = tmp_path / "checkout.env"
    made = subprocess.run(
        ["make", "--no-print-directory", "env-file", f"ENV_FILE={path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    return path


def test_make_demo_writes_a_development_env_file_once(demo_env_file):
    first = demo_env_file.read_text()
    subprocess.run(
        ["make", "--no-print-directory", "env-file", f"ENV_FILE={demo_env_file}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    assert "DEBUG=1" in first.splitlines()
    assert "EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend" in first.splitlines()
    secret = next(line for line in first.splitlines() if line.startswith("SECRET_KEY="))
    assert len(secret) > len("SECRET_KEY=") + 40
    assert demo_env_file.read_text() == first  # kept: sessions survive the next `make demo`


@pytest.mark.parametrize("arguments", [["--help"], ["token", "create", "--help"], ["check"]])
def test_the_cli_works_with_the_demo_env_file(demo_env_file, arguments):
    result = cohortkit(*arguments, env_file=demo_env_file)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_environment_wins_over_the_env_file(demo_env_file):
    show = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.DEBUG)"

    from_file = cohortkit("shell", "--no-imports", "-c", show, env_file=demo_env_file)
    from_environment = cohortkit(
        "shell",
        "--no-imports",
        "-c",
        show,
        env_file=demo_env_file,
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )

    assert from_file.stdout.split() == ["django.core.mail.backends.filebased.EmailBackend", "True"]
    assert from_environment.stdout.split() == [
        "django.core.mail.backends.console.EmailBackend",
        "True",
    ]


@pytest.mark.parametrize(
    "arguments", [["--help"], ["token", "create", "--email", "a@example.org"], ["migrate"], []]
)
def test_a_missing_secret_key_is_one_line_and_exit_status_2(tmp_path, arguments):
    result = cohortkit(*arguments, env_file=tmp_path / "no-such.env")

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "cohortkit: SECRET_KEY must be set unless DEBUG=1 (in the environment or in .env; "
        "`make demo` writes a development .env)"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("DEBUG=maybe\n", "DEBUG='maybe' is not a yes/no value"),
        ("DEBUG=1\nexport SECRET_KEY=abc\n", "line 2 is not NAME=value"),
        ("DEBUG=1\nDATABASE_URL=postgres://u:p@h:port/db\n", "DATABASE_URL is not a database URL"),
    ],
)
def test_an_unreadable_env_file_is_one_line_naming_the_problem(tmp_path, content, message):
    env_file = tmp_path / ".env"
    env_file.write_text(content)

    result = cohortkit("--help", env_file=env_file)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
