"""PostgreSQL only: the earthdistance extension for warranty distances, and append-only history
tables for the models added in 0003 (see 0002)."""

from django.db import migrations

HISTORY_TABLES = [
    "contractors_historicalphotocheck",
    "contractors_historicalphotoreuse",
    "contractors_historicalwarrantyclaim",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        # Both are trusted extensions (PostgreSQL 13+): a database owner may create them.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS cube;")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS earthdistance;")
        for table in HISTORY_TABLES:
            cursor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION baqylau_refuse_change();"
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION baqylau_refuse_change();"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in HISTORY_TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")


class Migration(migrations.Migration):
    dependencies = [("contractors", "0003_evidence_warranty_scorecard_fields")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
