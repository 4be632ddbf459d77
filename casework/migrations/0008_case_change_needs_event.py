"""PostgreSQL only: a case's state or event counter changes only together with its event.

0002 refuses an illegal state jump, but raw SQL could still move a case along a legal edge (or
bump `event_seq`) without writing a CaseEvent. This deferred constraint trigger checks, when the
transaction commits, every case row whose `state` or `event_seq` changed in it:

- `event_seq` went up (the counter never goes back or stays put while the state moves);
- the event numbered `event_seq` exists: events are numbered from the case's counter, so one above
  the counter as it stood before this transaction was written in this transaction;
- that event, the case's last, leaves the case in the state the row holds.

Services write the event and save the case in one transaction, in either order, so the check runs
at commit and reads the row as it stands then. A role that owns the table could disable the
trigger: the application connects as one that does not (deploy/postgres/roles.sql).
On SQLite (the embedded demo) this migration does nothing.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION casework_case_change_has_event() RETURNS trigger AS $$
DECLARE
    now_state text;
    now_seq integer;
    last_state text;
BEGIN
    IF NEW.state IS NOT DISTINCT FROM OLD.state
       AND NEW.event_seq IS NOT DISTINCT FROM OLD.event_seq THEN
        RETURN NULL;
    END IF;
    -- The row as it stands at commit: a later UPDATE in the same transaction may have written
    -- the counter after the state.
    SELECT state, event_seq INTO now_state, now_seq FROM casework_case WHERE id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF now_seq <= OLD.event_seq THEN
        RAISE EXCEPTION 'case %: state % -> % without a new event (event_seq % -> %)',
            NEW.id, OLD.state, now_state, OLD.event_seq, now_seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT to_state INTO last_state FROM casework_caseevent
        WHERE case_id = NEW.id AND seq = now_seq;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'case %: event_seq % names no event (state % -> %)',
            NEW.id, now_seq, OLD.state, now_state
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF last_state IS DISTINCT FROM now_state THEN
        RAISE EXCEPTION 'case %: state % but its last event (#%) leaves it %',
            NEW.id, now_state, now_seq, last_state
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

TRIGGER = """
CREATE CONSTRAINT TRIGGER casework_case_change_has_event
    AFTER UPDATE OF state, event_seq ON casework_case
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION casework_case_change_has_event()
"""

FORWARDS = [FUNCTION, TRIGGER]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS casework_case_change_has_event ON casework_case",
    "DROP FUNCTION IF EXISTS casework_case_change_has_event()",
]


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases (the embedded SQLite demo)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("casework", "0007_outbox_dedupe_key_partial_unique")]
    operations = [PostgresOnlySQL(FORWARDS, BACKWARDS, elidable=False)]
