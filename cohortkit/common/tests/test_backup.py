"""Backups round-trip the whole database (SQLite, PostgreSQL); restores never overwrite silently."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from cohortkit.common.backup import BackupError, database_backup, database_restore


def _rows_by_table(settings_dict: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, read straight from the database (no Django involved)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        reader = sqlite3.connect(settings_dict["NAME"])
        try:
            tables = [
                name
                for (name,) in reader.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {
                table: sorted(reader.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
                for table in tables
            }
        finally:
            reader.close()
    import psycopg

    arguments = {"dbname": settings_dict["NAME"]}
    for argument, key in (
        ("host", "HOST"),
        ("port", "PORT"),
        ("user", "USER"),
        ("password", "PASSWORD"),
    ):
        if settings_dict.get(key):
            arguments[argument] = settings_dict[key]
    with psycopg.connect(**arguments) as reader:
        tables = [
            name
            for (name,) in reader.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname='public'"
            ).fetchall()
        ]
        return {
            table: sorted(reader.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            for table in tables
        }


@pytest.fixture
def restore_target(tmp_path):
    """Settings for a second, not yet existing database of the same kind as the test database."""
    target = dict(connection.settings_dict)
    if target["ENGINE"].endswith("sqlite3"):
        target["NAME"] = str(tmp_path / "restored.sqlite3")
        yield target
        return
    import psycopg

    target["NAME"] = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
    yield target
    arguments = {"dbname": "postgres"}
    for argument, key in (
        ("host", "HOST"),
        ("port", "PORT"),
        ("user", "USER"),
        ("password", "PASSWORD"),
    ):
        if target.get(key):
            arguments[argument] = target[key]
    with psycopg.connect(**arguments, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}"')


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_round_trips_through_backup_and_restore_table_by_table(
    tmp_path, restore_target
):
    backup = tmp_path / "cohortkit.backup"
    with open(os.devnull, "w") as quiet:
        call_command("demo", stdout=quiet)

        call_command("backup", str(backup), stdout=quiet)
    database_restore(settings_dict=restore_target, source=backup, overwrite=False)

    original = _rows_by_table(dict(connection.settings_dict))
    restored = _rows_by_table(restore_target)
    assert set(restored) == set(original)
    assert sum(len(rows) for rows in original.values()) > 1000  # the demo, not an empty database
    for table, rows in original.items():
        assert restored[table] == rows, table


@pytest.mark.django_db(transaction=True)
def test_restore_over_data_needs_an_explicit_yes_and_then_replaces_it(tmp_path, restore_target):
    from cohortkit.tests.factories import UserFactory

    UserFactory(email="before@example.org")
    first = tmp_path / "first.backup"
    database_backup(settings_dict=connection.settings_dict, destination=first)
    database_restore(settings_dict=restore_target, source=first, overwrite=False)
    UserFactory(email="after@example.org")
    second = tmp_path / "second.backup"
    database_backup(settings_dict=connection.settings_dict, destination=second)

    with pytest.raises(BackupError, match="already holds data; run again with --yes"):
        database_restore(settings_dict=restore_target, source=second, overwrite=False)
    emails_kept = {row[0] for row in _user_emails(restore_target)}
    database_restore(settings_dict=restore_target, source=second, overwrite=True)
    emails_replaced = {row[0] for row in _user_emails(restore_target)}

    assert emails_kept == {"before@example.org"}
    assert emails_replaced == {"before@example.org", "after@example.org"}


def _user_emails(settings_dict: dict[str, Any]) -> list[tuple[Any, ...]]:
    return _select(settings_dict, "SELECT email FROM accounts_user")


def _select(settings_dict: dict[str, Any], sql: str) -> list[tuple[Any, ...]]:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        reader = sqlite3.connect(settings_dict["NAME"])
        try:
            return reader.execute(sql).fetchall()
        finally:
            reader.close()
    import psycopg

    arguments = {"dbname": settings_dict["NAME"]}
    for argument, key in (
        ("host", "HOST"),
        ("port", "PORT"),
        ("user", "USER"),
        ("password", "PASSWORD"),
    ):
        if settings_dict.get(key):
            arguments[argument] = settings_dict[key]
    with psycopg.connect(**arguments) as reader:
        return reader.execute(sql).fetchall()


def _cohortkit(
    *arguments: str, database: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment |= {"DEBUG": "1", "SQLITE_PATH": str(database)} | (extra or {})
    return subprocess.run(
        [sys.executable, "-m", "cohortkit.cli", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def test_the_commands_back_up_a_live_file_and_refuse_to_overwrite_without_yes(tmp_path):
    database, backup = tmp_path / "site.sqlite3", tmp_path / "site.backup"
    assert _cohortkit("migrate", "--noinput", "-v0", database=database).returncode == 0
    person = {
        "DJANGO_SUPERUSER_EMAIL": "admin@example.org",
        "DJANGO_SUPERUSER_PASSWORD": "x-9!kq",
        "DJANGO_SUPERUSER_NAME": "Ada Admin",
    }
    created = _cohortkit("createsuperuser", "--noinput", database=database, extra=person)
    assert created.returncode == 0, created.stderr

    made = _cohortkit("backup", str(backup), database=database)
    into_new = _cohortkit("restore", str(backup), database=tmp_path / "new.sqlite3")
    over_data = _cohortkit("restore", str(backup), database=tmp_path / "new.sqlite3")
    with_yes = _cohortkit("restore", str(backup), "--yes", database=tmp_path / "new.sqlite3")
    missing = _cohortkit("restore", str(tmp_path / "missing.backup"), database=database)
    (tmp_path / "notes.txt").write_text("not a backup")
    not_a_backup = _cohortkit("restore", str(tmp_path / "notes.txt"), database=database)

    assert made.returncode == 0 and "backup written to" in made.stdout, made.stderr
    assert into_new.returncode == 0, into_new.stderr
    assert over_data.returncode == 2
    assert over_data.stderr.strip().endswith("run again with --yes to replace it with the backup")
    assert with_yes.returncode == 0, with_yes.stderr
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert not_a_backup.returncode == 2 and "is not a cohortkit backup" in not_a_backup.stderr
    restored = sqlite3.connect(tmp_path / "new.sqlite3")
    assert restored.execute("SELECT email FROM accounts_user").fetchall() == [
        ("admin@example.org",)
    ]
    restored.close()
