"""The database connection's settings: on PostgreSQL the server's JIT compiler is off for the
site's connections (compiling the overview's term-wide counts took longer than running them)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        (setting,) = cursor.fetchone()

    assert setting == "off"
