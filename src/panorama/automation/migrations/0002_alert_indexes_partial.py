"""Alerts: the single-column indexes of customer and user go (the customer's and the
user's lists lead the two composite indexes, which serve the same look-ups), team and
rule get partial ones (most alerts name neither): each alert is written with three index
entries fewer. The indexes are dropped by name, not through AlterField (SQLite would
rebuild the table for each field)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Django's names for the foreign keys' indexes (the same on SQLite and PostgreSQL).
DROPPED = {
    "automation_alert_customer_id_4e95eaa1": "customer_id",
    "automation_alert_user_id_ae2c4d45": "user_id",
    "automation_alert_team_id_e3a7ec50": "team_id",
    "automation_alert_rule_id_7673ea1e": "rule_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_loginthrottle"),
        ("automation", "0001_initial"),
        ("customers", "0022_customer_updated_at_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="alert",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to="customers.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="rule",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="alerts",
                        to="automation.rule",
                    ),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to="accounts.team",
                    ),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="for",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[f"DROP INDEX IF EXISTS {name}" for name in DROPPED],
                    reverse_sql=[
                        f"CREATE INDEX {name} ON automation_alert ({column})"
                        for name, column in DROPPED.items()
                    ],
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                condition=models.Q(("team__isnull", False)), fields=["team"], name="alert_team"
            ),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                condition=models.Q(("rule__isnull", False)), fields=["rule"], name="alert_rule"
            ),
        ),
    ]
