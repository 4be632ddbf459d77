"""PostgreSQL only: indexes that the text search actually uses.

Django writes `icontains` as `UPPER(col::text) LIKE UPPER('%…%')` and `iexact` as
`UPPER(col::text) = UPPER(…)`, which the plain trigram indexes of 0002 and 0005 (on the bare
columns) cannot serve: at a million cases a search read the whole table. These indexes are on
exactly those expressions, so the staff list's and the API's `q` become index scans (a BitmapOr
over the three texts and the tracking code), and the unusable ones are dropped.
"""

from django.db import migrations

NEW = {
    "case_title_upper_trgm": "USING gin (UPPER(title::text) gin_trgm_ops)",
    "case_address_upper_trgm": "USING gin (UPPER(address::text) gin_trgm_ops)",
    "case_description_upper_trgm": "USING gin (UPPER(description::text) gin_trgm_ops)",
    "case_tracking_code_upper": "(UPPER(tracking_code::text))",
}
OLD = {
    "case_title_trgm": "USING gin (title gin_trgm_ops)",
    "case_address_trgm": "USING gin (address gin_trgm_ops)",
    "case_description_trgm": "USING gin (description gin_trgm_ops)",
}


def _swap(schema_editor, create: dict[str, str], drop: dict[str, str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in drop:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        for name, definition in create.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON casework_case {definition}")


def forwards(apps, schema_editor):
    _swap(schema_editor, NEW, OLD)


def backwards(apps, schema_editor):
    _swap(schema_editor, OLD, NEW)


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_case_list_indexes")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
