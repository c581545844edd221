"""Runs name the people of their term explicitly (instance id → user id) instead of reading a
user id out of any id that looks like ``p12``. Runs built from the term's own people get their
mapping back from their instance; imported runs get none (their ids stay unknown)."""

from django.db import migrations, models


def _decoded(person_id: str) -> int | None:
    digits = person_id[1:]
    if person_id[:1] in ("p", "f") and digits.isdigit():
        return int(digits)
    return None


def fill_people(apps, schema_editor):  # type: ignore[no-untyped-def]
    ScheduleRun = apps.get_model("scheduling", "ScheduleRun")
    User = apps.get_model("accounts", "User")
    for run in ScheduleRun.objects.exclude(source="import").only("id", "instance"):
        instance = run.instance or {}
        ids = [p.get("id", "") for p in instance.get("participants", [])]
        ids += [f.get("id", "") for f in instance.get("facilitators", [])]
        decoded = {pid: uid for pid in ids if (uid := _decoded(str(pid))) is not None}
        existing = set(User.objects.filter(pk__in=decoded.values()).values_list("pk", flat=True))
        run.people = {pid: uid for pid, uid in decoded.items() if uid in existing}
        run.save(update_fields=["people"])


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0002_attendance_apologies_visits"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="schedulerun",
            name="people",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(fill_people, migrations.RunPython.noop),
    ]
