"""The board's column totals kept by triggers (see ``StageTotal``): the table is filled
from the opportunities there are, then every INSERT, DELETE and relevant UPDATE of
``sales_opportunity`` keeps it equal to them, on SQLite and on PostgreSQL."""

from django.db import migrations, models

FILL = """
INSERT INTO sales_stagetotal (pipeline_id, stage_id, owner_id, team_id, n, total_cents)
SELECT pipeline_id, stage_id, COALESCE(owner_id, 0), COALESCE(team_id, 0), COUNT(*),
       SUM({cents})
FROM sales_opportunity
GROUP BY pipeline_id, stage_id, COALESCE(owner_id, 0), COALESCE(team_id, 0)
"""

CHANGED = (
    "OLD.stage_id IS NOT NEW.stage_id OR OLD.pipeline_id IS NOT NEW.pipeline_id"
    " OR OLD.owner_id IS NOT NEW.owner_id OR OLD.team_id IS NOT NEW.team_id"
    " OR OLD.amount_base IS NOT NEW.amount_base"
)

SUBTRACT = """
UPDATE sales_stagetotal SET n = n - 1, total_cents = total_cents - {old_cents}
WHERE stage_id = OLD.stage_id AND owner_id = COALESCE(OLD.owner_id, 0)
  AND team_id = COALESCE(OLD.team_id, 0);
"""

ADD = """
INSERT INTO sales_stagetotal (pipeline_id, stage_id, owner_id, team_id, n, total_cents)
VALUES (NEW.pipeline_id, NEW.stage_id, COALESCE(NEW.owner_id, 0), COALESCE(NEW.team_id, 0),
        1, {new_cents})
ON CONFLICT (stage_id, owner_id, team_id)
DO UPDATE SET n = sales_stagetotal.n + 1,
              total_cents = sales_stagetotal.total_cents + excluded.total_cents;
"""

SQLITE_CENTS = "CAST(ROUND({col} * 100) AS INTEGER)"
SQLITE = [
    FILL.format(cents=SQLITE_CENTS.format(col="amount_base")),
    "CREATE TRIGGER sales_opp_total_insert AFTER INSERT ON sales_opportunity BEGIN "
    + ADD.format(new_cents=SQLITE_CENTS.format(col="NEW.amount_base"))
    + " END",
    "CREATE TRIGGER sales_opp_total_delete AFTER DELETE ON sales_opportunity BEGIN "
    + SUBTRACT.format(old_cents=SQLITE_CENTS.format(col="OLD.amount_base"))
    + " END",
    f"CREATE TRIGGER sales_opp_total_update AFTER UPDATE ON sales_opportunity WHEN {CHANGED} "
    "BEGIN "
    + SUBTRACT.format(old_cents=SQLITE_CENTS.format(col="OLD.amount_base"))
    + ADD.format(new_cents=SQLITE_CENTS.format(col="NEW.amount_base"))
    + " END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS sales_opp_total_insert",
    "DROP TRIGGER IF EXISTS sales_opp_total_delete",
    "DROP TRIGGER IF EXISTS sales_opp_total_update",
]

PG_CENTS = "({col} * 100)::bigint"
POSTGRES = [
    FILL.format(cents=PG_CENTS.format(col="amount_base")),
    "CREATE FUNCTION sales_opp_total() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
    + SUBTRACT.format(old_cents=PG_CENTS.format(col="OLD.amount_base"))
    + " END IF; IF TG_OP IN ('UPDATE', 'INSERT') THEN "
    + ADD.format(new_cents=PG_CENTS.format(col="NEW.amount_base"))
    + " END IF; RETURN NULL; END $$",
    "CREATE TRIGGER sales_opp_total_write AFTER INSERT OR DELETE ON sales_opportunity "
    "FOR EACH ROW EXECUTE FUNCTION sales_opp_total()",
    "CREATE TRIGGER sales_opp_total_update AFTER UPDATE ON sales_opportunity FOR EACH ROW "
    f"WHEN ({CHANGED.replace('IS NOT', 'IS DISTINCT FROM')}) EXECUTE FUNCTION sales_opp_total()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS sales_opp_total_write ON sales_opportunity",
    "DROP TRIGGER IF EXISTS sales_opp_total_update ON sales_opportunity",
    "DROP FUNCTION IF EXISTS sales_opp_total()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0006_agenda_scripts_forecast"),
    ]

    operations = [
        migrations.CreateModel(
            name="StageTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("pipeline_id", models.BigIntegerField()),
                ("stage_id", models.BigIntegerField()),
                ("owner_id", models.BigIntegerField()),
                ("team_id", models.BigIntegerField()),
                ("n", models.BigIntegerField(default=0)),
                ("total_cents", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "stage total",
                "verbose_name_plural": "stage totals",
            },
        ),
        migrations.RemoveIndex(
            model_name="opportunity",
            name="opp_board_totals",
        ),
        migrations.AddIndex(
            model_name="stagetotal",
            index=models.Index(fields=["pipeline_id", "stage_id"], name="stage_total_board"),
        ),
        migrations.AddConstraint(
            model_name="stagetotal",
            constraint=models.UniqueConstraint(
                fields=("stage_id", "owner_id", "team_id"), name="stage_total_key"
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
