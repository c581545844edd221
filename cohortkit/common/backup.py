"""Backups of the whole database, taken while the site runs, and their restore.

- **SQLite**: SQLite's online backup API copies the database page by page inside one read
  transaction, so the copy is consistent even while the web and the workers write (WAL mode).
  The backup file is itself an SQLite database.
- **PostgreSQL**: ``pg_dump --format=custom`` (one snapshot, so consistent while the site runs);
  restore is ``pg_restore --clean --if-exists --single-transaction``. Both programs come with the
  PostgreSQL client (Debian's ``postgresql-client``); their absence is one clear error.

A restore never overwrites data silently: into a database that does not exist yet or holds no
data (only Django's own bookkeeping rows, as after ``migrate``), it goes ahead; otherwise the caller
must pass ``overwrite=True`` (``cohortkit restore FILE --yes``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"

# Rows that `migrate` writes into an empty database; a database holding only these is "empty".
BOOKKEEPING_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "django_site"}
)


class BackupError(Exception):
    """A backup or restore that could not be done; the message is one line for the person."""


def _kind(settings_dict: Mapping[str, Any]) -> str:
    engine = str(settings_dict["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def file_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql`` by the file's first bytes; refuses anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from error
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a cohortkit backup (neither SQLite nor pg_dump custom format)"
    )


# --- backup ---------------------------------------------------------------------------------------


def database_backup(*, settings_dict: Mapping[str, Any], destination: Path) -> None:
    """Write a consistent copy of the database to ``destination`` (replaced atomically)."""
    destination = destination.resolve()
    if not destination.parent.is_dir():
        raise BackupError(f"the folder {destination.parent} does not exist")
    # Written beside the destination, then renamed: a failed backup never leaves half a file.
    handle, temporary = tempfile.mkstemp(prefix=".backup-", dir=destination.parent)
    os.close(handle)
    try:
        if _kind(settings_dict) == "sqlite":
            _sqlite_backup(Path(str(settings_dict["NAME"])), Path(temporary))
        else:
            _pg_dump(settings_dict, Path(temporary))
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.exists():
        raise BackupError(f"the database {source} does not exist")
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(destination)
    try:
        reader.backup(writer)
        # The copy is a standalone file: no WAL beside it.
        writer.execute("PRAGMA journal_mode=DELETE")
    finally:
        writer.close()
        reader.close()


def _pg_environment(
    settings_dict: Mapping[str, Any], database: str | None = None
) -> dict[str, str]:
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        value = settings_dict.get(key)
        if value:
            environment[variable] = str(value)
    environment["PGDATABASE"] = database or str(settings_dict["NAME"])
    return environment


def _pg_program(name: str) -> str:
    found = shutil.which(name) or next(
        (
            str(candidate)
            for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
            if os.access(candidate, os.X_OK)
        ),
        None,
    )
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _run(command: list[str], environment: dict[str, str]) -> None:
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        lines = [line for line in finished.stderr.splitlines() if line.strip()]
        raise BackupError(f"{Path(command[0]).name} failed: {lines[-1] if lines else 'no output'}")


def _pg_dump(settings_dict: Mapping[str, Any], destination: Path) -> None:
    _run(
        [_pg_program("pg_dump"), "--format=custom", "--no-owner", f"--file={destination}"],
        _pg_environment(settings_dict),
    )


# --- restore --------------------------------------------------------------------------------------


def database_holds_data(*, settings_dict: Mapping[str, Any]) -> bool:
    """Whether the database exists and any table beyond Django's bookkeeping has a row."""
    if _kind(settings_dict) == "sqlite":
        path = Path(str(settings_dict["NAME"]))
        if not path.exists() or path.stat().st_size == 0:
            return False
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return any(
                connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone()  # noqa: S608
                for table in tables
                if table not in BOOKKEEPING_TABLES
            )
        finally:
            connection.close()
    import psycopg

    try:
        server = psycopg.connect(**_pg_connect_arguments(settings_dict))
    except psycopg.OperationalError as error:
        if "does not exist" in str(error):
            return False
        raise BackupError(f"cannot connect to the database: {str(error).strip()}") from error
    with server:
        tables = [
            row[0]
            for row in server.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return any(
            server.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone()  # noqa: S608
            for table in tables
            if table not in BOOKKEEPING_TABLES
        )


def _pg_connect_arguments(
    settings_dict: Mapping[str, Any], database: str | None = None
) -> dict[str, Any]:
    arguments: dict[str, Any] = {"dbname": database or settings_dict["NAME"]}
    for argument, key in (("host", "HOST"), ("port", "PORT"), ("user", "USER")):
        if settings_dict.get(key):
            arguments[argument] = settings_dict[key]
    if settings_dict.get("PASSWORD"):
        arguments["password"] = settings_dict["PASSWORD"]
    return arguments


def database_restore(*, settings_dict: Mapping[str, Any], source: Path, overwrite: bool) -> None:
    """Replace the database's contents with the backup in ``source``.

    Refuses (``BackupError``) when the file is not a backup of this kind of database, or when the
    database holds data and ``overwrite`` is false. The restore is all or nothing.
    """
    kind = _kind(settings_dict)
    found = file_kind(source)
    if found != kind:
        raise BackupError(f"{source} is a {found} backup but the settings name a {kind} database")
    if not overwrite and database_holds_data(settings_dict=settings_dict):
        raise BackupError(
            "the database already holds data; run again with --yes to replace it with the backup"
        )
    if kind == "sqlite":
        _sqlite_restore(source, Path(str(settings_dict["NAME"])))
    else:
        _pg_restore(settings_dict, source)


def _sqlite_restore(source: Path, destination: Path) -> None:
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if reader.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"{source} is damaged (SQLite integrity check failed)")
        destination.parent.mkdir(parents=True, exist_ok=True)
        writer = sqlite3.connect(destination)
        try:
            # The backup API writes every page inside one transaction: readers see the old
            # database or the new one, never a mix.
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=WAL")
        finally:
            writer.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} cannot be read as SQLite: {error}") from error
    finally:
        reader.close()


def _pg_restore(settings_dict: Mapping[str, Any], source: Path) -> None:
    import psycopg

    database = str(settings_dict["NAME"])
    try:
        psycopg.connect(**_pg_connect_arguments(settings_dict)).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise BackupError(f"cannot connect to the database: {str(error).strip()}") from error
        with psycopg.connect(
            **_pg_connect_arguments(settings_dict, "postgres"), autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
    _run(
        [
            _pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={database}",
            str(source),
        ],
        _pg_environment(settings_dict, database),
    )
