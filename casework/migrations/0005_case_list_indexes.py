"""PostgreSQL only: indexes for the staff case list at a million cases.

The default list is a role's open cases by answer deadline (overdue first); these partial indexes
let it read the first page straight off an index in each scope (region, district, department)
instead of sorting every open case. A trigram index makes the text search on descriptions fast,
like the ones on titles and addresses from 0002.
"""

from django.db import migrations

OPEN = "('received', 'assigned', 'contractor_notified', 'repaired')"
INDEXES = {
    "case_open_region_due": f"(region_id, due_at, id) WHERE state IN {OPEN}",
    "case_open_district_due": f"(district_id, due_at, id) WHERE state IN {OPEN}",
    "case_open_department_due": f"(department_id, due_at, id) WHERE state IN {OPEN}",
    "case_description_trgm": "USING gin (description gin_trgm_ops)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, definition in INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON casework_case {definition}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_escalation")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
