"""A rejected import row keeps every problem and its cells as read (every column, in
the file's order); the job keeps the file's header row, the report's columns."""

from django.db import migrations, models


def forward(apps, schema_editor):
    """The old ``raw`` (header → value) becomes the cells; its keys the job's headers."""
    ImportJob = apps.get_model("customers", "ImportJob")
    ImportRowError = apps.get_model("customers", "ImportRowError")
    headers: dict[int, list[str]] = {}
    for error in ImportRowError.objects.only("id", "job_id", "raw", "field", "message").iterator():
        raw = error.raw or {}
        headers.setdefault(error.job_id, list(raw))
        error.cells = list(raw.values())
        error.problems = [{"field": error.field, "message": error.message}]
        error.save(update_fields=["cells", "problems"])
    for job_id, names in headers.items():
        ImportJob.objects.filter(pk=job_id).update(headers=names)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0013_address_line_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="headers",
            field=models.JSONField(blank=True, default=list, verbose_name="columns"),
        ),
        migrations.AddField(
            model_name="importrowerror",
            name="cells",
            field=models.JSONField(blank=True, default=list, verbose_name="row"),
        ),
        migrations.AddField(
            model_name="importrowerror",
            name="problems",
            field=models.JSONField(blank=True, default=list, verbose_name="problems"),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="importrowerror",
            name="raw",
        ),
    ]
