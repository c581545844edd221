# Submitted answers keep their rendered, sanitised HTML beside the Markdown, rendered once when
# submitted; this renders the versions that were submitted before.

from django.db import migrations, models


def render_existing_versions(apps, schema_editor):
    from cohortkit.common.markdown import render_markdown

    SubmissionVersion = apps.get_model("coursework", "SubmissionVersion")
    batch = []
    for version in SubmissionVersion.objects.only("pk", "body_markdown").iterator(chunk_size=500):
        version.body_html = render_markdown(version.body_markdown)
        batch.append(version)
        if len(batch) == 500:
            SubmissionVersion.objects.bulk_update(batch, ["body_html"])
            batch = []
    SubmissionVersion.objects.bulk_update(batch, ["body_html"])


class Migration(migrations.Migration):

    dependencies = [
        ('coursework', '0002_submissions_and_feedback'),
    ]

    operations = [
        migrations.AddField(
            model_name='submissionversion',
            name='body_html',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(render_existing_versions, migrations.RunPython.noop),
    ]
