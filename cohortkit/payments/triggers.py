"""The database triggers that make the ledger append-only, on SQLite and PostgreSQL.

Migration ``0001_initial`` creates them; nothing in the application drops them. An UPDATE or a
DELETE of a ``payments_ledgerentry`` row fails inside the database, whoever sends it (the ORM, a
shell, another program). TRUNCATE on PostgreSQL is an administrator's act and is not guarded, so
``flush`` still empties a test database there.
"""

from __future__ import annotations

from typing import Any

TABLE = "payments_ledgerentry"
MESSAGE = "ledger entries are append-only: add a reversal or adjustment instead"

SQLITE_CREATE = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
]

POSTGRESQL_CREATE = [
    f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END $$;",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only();",
]


def statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRESQL_CREATE if create else POSTGRESQL_DROP
    raise NotImplementedError(f"no append-only ledger triggers for {vendor}")


def triggers_create(apps: Any, schema_editor: Any) -> None:
    for statement in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(statement)


def triggers_drop(apps: Any, schema_editor: Any) -> None:
    for statement in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(statement)


def ledger_purge_for_tests(connection: Any) -> None:
    """Empty the ledger so a transactional test's ``flush`` can run (tests only).

    SQLite's flush deletes row by row, which the triggers refuse; this drops them, deletes every
    entry and creates them again, in the test database only.
    """
    from django.conf import settings

    if not getattr(settings, "TESTING", False):
        raise RuntimeError("the ledger is never emptied outside the test suite")
    with connection.cursor() as cursor:
        for statement in statements(connection.vendor, create=False):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 (a constant table name)
        for statement in statements(connection.vendor, create=True):
            cursor.execute(statement)
