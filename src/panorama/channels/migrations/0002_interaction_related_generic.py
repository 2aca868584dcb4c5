"""The timeline's related record becomes a GenericForeignKey: ``related_id`` holds the
record's primary key as an integer (it was text), so ``Interaction.related`` reads the
record through contenttypes. Existing links are copied; reversible."""

from django.db import migrations, models
from django.db.models.functions import Cast


def ids_to_integers(apps, schema_editor):
    Interaction = apps.get_model("channels", "Interaction")
    Interaction.objects.exclude(related_id_text="").update(
        related_id=Cast("related_id_text", models.BigIntegerField())
    )


def ids_to_text(apps, schema_editor):
    Interaction = apps.get_model("channels", "Interaction")
    Interaction.objects.filter(related_id__isnull=False).update(
        related_id_text=Cast("related_id", models.CharField(max_length=64))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="interaction", name="interaction_related"),
        migrations.RenameField(
            model_name="interaction", old_name="related_id", new_name="related_id_text"
        ),
        migrations.AddField(
            model_name="interaction",
            name="related_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(ids_to_integers, ids_to_text),
        migrations.RemoveField(model_name="interaction", name="related_id_text"),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(fields=["related_type", "related_id"], name="interaction_related"),
        ),
    ]
