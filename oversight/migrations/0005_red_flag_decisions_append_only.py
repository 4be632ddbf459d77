"""PostgreSQL only: red-flag decisions (dismissals and what reopened or resolved a hit) are
append-only, like the acts (0002): UPDATE, DELETE and TRUNCATE raise, even from raw SQL."""

from django.db import migrations

TABLE = "oversight_redflagdecision"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION baqylau_refuse_change();"
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION baqylau_refuse_change();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};"
        f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};"
    )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0004_red_flag_hits")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
