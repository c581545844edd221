"""PostgreSQL statistics of which answers each question gets, so the ranking's answer filters
("track is advanced and mode in person") are estimated right and its pages are read from the
ranking index in order rather than sorting every match (other databases: nothing to do)."""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS admissions_answer_question_value (mcv) "
    "ON question_id, value FROM admissions_answer"
)
DROP = "DROP STATISTICS IF EXISTS admissions_answer_question_value"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE admissions_answer")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0006_application_ranking_score_stored"),
    ]

    operations = [migrations.RunPython(create, drop)]
