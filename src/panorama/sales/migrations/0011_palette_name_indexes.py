"""Indexes for the Ctrl+K palette's name searches (sales/palette.py): an opportunity's
name and a lead's first name, last name and company, each ``istartswith``.

Django's ``istartswith`` on PostgreSQL is ``UPPER("col"::text) LIKE UPPER('x%')``: an
index on that expression with ``text_pattern_ops`` serves the prefix whatever the
database's collation. SQLite (tests, the demo) gets the plain expression index.
Not in ``Meta.indexes``: the operator class is PostgreSQL's own.
"""

from django.db import migrations

INDEXES = [
    ("opp_name_prefix", "sales_opportunity", "name"),
    ("lead_first_prefix", "sales_lead", "first_name"),
    ("lead_last_prefix", "sales_lead", "last_name"),
    ("lead_company_prefix", "sales_lead", "company"),
]


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, column in INDEXES:
        expression = (
            f'(UPPER("{column}"::text) text_pattern_ops)' if postgres else f'(UPPER("{column}"))'
        )
        schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" {expression}')


def drop(apps, schema_editor):
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("sales", "0010_lead_import_jobs")]

    operations = [migrations.RunPython(create, drop)]
