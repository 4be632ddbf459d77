"""PostgreSQL only: the database itself refuses rewriting the audit trail and illegal state jumps.

- UPDATE, DELETE and TRUNCATE on case events and on every history table raise.
- A change of casework_case.state that is not a legal transition raises, even from raw SQL.
- Trigram indexes for the case search.
On SQLite (the embedded demo) this migration does nothing.
"""

from django.db import migrations

HISTORY_TABLES = [
    "casework_historicalcalendaroverride",
    "casework_historicalofficial",
    "casework_historicalregion",
    "casework_historicaldistrict",
    "casework_historicaldepartment",
    "casework_historicalcategory",
    "casework_historicalcategoryrouting",
    "casework_historicalstaffprofile",
    "casework_historicalcomplainant",
    "casework_historicalcase",
    "casework_historicalattachment",
]
APPEND_ONLY = ["casework_caseevent", *HISTORY_TABLES]

# The legal (from, to) pairs of casework.states.TRANSITIONS when this migration was written.
LEGAL_PAIRS = [
    ("received", "assigned"),
    ("assigned", "assigned"),
    ("assigned", "contractor_notified"),
    ("contractor_notified", "repaired"),
    ("repaired", "verified"),
    ("repaired", "contractor_notified"),
    ("received", "rejected"),
    ("assigned", "rejected"),
    ("verified", "assigned"),
    ("rejected", "received"),
]

FUNCTIONS = """
CREATE OR REPLACE FUNCTION baqylau_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit table %% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION casework_case_state_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.state IS DISTINCT FROM OLD.state
       AND (OLD.state, NEW.state) NOT IN (%(pairs)s) THEN
        RAISE EXCEPTION 'illegal case state change % -> % on case %%', OLD.state, NEW.state, OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def _pairs_sql() -> str:
    return ", ".join(f"('{a}', '{b}')" for a, b in LEGAL_PAIRS)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # %% survives the Python formatting below as % for RAISE's placeholders.
    sql = FUNCTIONS.replace("%(pairs)s", _pairs_sql()).replace("%%", "%")
    statements = [sql]
    for table in APPEND_ONLY:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION baqylau_refuse_change();"
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION baqylau_refuse_change();"
        )
    statements.append(
        "CREATE TRIGGER casework_case_state_guard BEFORE UPDATE OF state ON casework_case "
        "FOR EACH ROW EXECUTE FUNCTION casework_case_state_guard();"
    )
    statements.append("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
    statements.append(
        "CREATE INDEX IF NOT EXISTS case_title_trgm ON casework_case "
        "USING gin (title gin_trgm_ops);"
        "CREATE INDEX IF NOT EXISTS case_address_trgm ON casework_case "
        "USING gin (address gin_trgm_ops);"
    )
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in APPEND_ONLY:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        cursor.execute("DROP TRIGGER IF EXISTS casework_case_state_guard ON casework_case;")
        cursor.execute("DROP INDEX IF EXISTS case_title_trgm; DROP INDEX IF EXISTS case_address_trgm;")


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
