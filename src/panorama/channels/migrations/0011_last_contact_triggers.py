"""``Customer.last_contact_at`` filled from the interactions there are (one grouped
UPDATE), then kept by the triggers of ``channels/last_contact.py``."""

from django.db import migrations

from panorama.channels import last_contact


def triggers_create(apps, schema_editor):
    last_contact.last_contact_fill(schema_editor.connection)
    last_contact.last_contact_ensure(schema_editor.connection, first=True)


def triggers_remove(apps, schema_editor):
    last_contact.last_contact_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0010_failure_reasons_kept_whole"),
        ("customers", "0024_customer_last_contact_at"),
    ]

    operations = [
        migrations.RunPython(triggers_create, triggers_remove),
    ]
