"""PostgreSQL only: votes, vote holds and their reviews are append-only, like the case events
(casework 0002) and the inquiry log (oversight 0007): UPDATE, DELETE and TRUNCATE raise, even
from raw SQL. On SQLite this does nothing."""

from django.db import migrations

APPEND_ONLY = ["ratings_vote", "ratings_votehold", "ratings_voteholdreview"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION baqylau_refuse_change();"
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION baqylau_refuse_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
        )


class Migration(migrations.Migration):
    dependencies = [("ratings", "0002_vote_chain_holds"), ("casework", "0002_postgres_guards")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
