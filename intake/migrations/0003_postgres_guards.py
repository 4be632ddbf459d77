"""PostgreSQL only: intake's history tables are append-only (see casework 0002)."""

from django.db import migrations

HISTORY_TABLES = [
    "intake_historicaldistrictarea",
    "intake_historicalopen311client",
    "intake_historicalstaffchat",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
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
    dependencies = [("intake", "0002_staff_chat"), ("casework", "0002_postgres_guards")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
