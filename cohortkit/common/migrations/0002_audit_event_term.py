import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill_terms(apps, schema_editor):
    """Give earlier events the term their target lies in (targets since deleted keep none)."""
    from cohortkit.common.audit import path_to_term

    AuditEvent = apps.get_model("common", "AuditEvent")
    pairs = AuditEvent.objects.filter(term__isnull=True).values_list("target_type", flat=True)
    for target_type in sorted(set(pairs)):
        app_label, _, model_name = target_type.partition(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        path = path_to_term(model)
        if path is None:
            continue
        lookup = "__".join(path) if path else "pk"
        events = AuditEvent.objects.filter(term__isnull=True, target_type=target_type)
        ids = set(events.values_list("target_id", flat=True))
        found = dict(
            model.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).values_list(
                "pk", lookup
            )
        )
        for target_id, term_id in found.items():
            if term_id is not None:
                events.filter(target_id=str(target_id)).update(term_id=term_id)


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0001_initial"),
        ("programs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="term",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="programs.term",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["term", "-occurred_at"], name="audit_term_recent"),
        ),
        migrations.RunPython(backfill_terms, migrations.RunPython.noop),
    ]
