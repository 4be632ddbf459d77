"""A corruption report's own lifecycle: received -> under_review -> referred / answered.

The new states, and on PostgreSQL the state guard of 0002 with the new legal pairs (the
transition table of casework.states when this migration was written)."""

import django_fsm
from django.db import migrations

OLD_PAIRS = [
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
NEW_PAIRS = [
    *OLD_PAIRS,
    ("received", "under_review"),
    ("under_review", "referred"),
    ("under_review", "answered"),
]

GUARD = """
CREATE OR REPLACE FUNCTION casework_case_state_guard() RETURNS trigger AS $$
BEGIN
    IF NEW.state IS DISTINCT FROM OLD.state
       AND (OLD.state, NEW.state) NOT IN (%(pairs)s) THEN
        RAISE EXCEPTION 'illegal case state change %% -> %% on case %%', OLD.state, NEW.state, OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


def _guard(pairs):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        listed = ", ".join(f"('{a}', '{b}')" for a, b in pairs)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(GUARD.replace("%(pairs)s", listed).replace("%%", "%"))

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0010_category_corruption_report'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='state',
            field=django_fsm.FSMField(choices=[('received', 'Received'), ('assigned', 'Assigned to a department'), ('contractor_notified', 'Contractor notified'), ('repaired', 'Repaired'), ('verified', 'Verified'), ('rejected', 'Rejected'), ('under_review', 'Under review by an anti-corruption investigator'), ('referred', 'Referred for investigation'), ('answered', 'Closed with an answer')], default='received', max_length=32, protected=True, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='state',
            field=django_fsm.FSMField(choices=[('received', 'Received'), ('assigned', 'Assigned to a department'), ('contractor_notified', 'Contractor notified'), ('repaired', 'Repaired'), ('verified', 'Verified'), ('rejected', 'Rejected'), ('under_review', 'Under review by an anti-corruption investigator'), ('referred', 'Referred for investigation'), ('answered', 'Closed with an answer')], default='received', max_length=32, protected=True, verbose_name='state'),
        ),
        migrations.RunPython(_guard(NEW_PAIRS), _guard(OLD_PAIRS), elidable=False),
    ]
