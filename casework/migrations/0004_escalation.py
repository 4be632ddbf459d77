"""Escalations: each deadline of a case is scheduled here and fired once by the sweep.

On PostgreSQL a fired escalation (the record of it) can be neither changed nor deleted.
"""

import django.db.models.deletion
from django.db import migrations, models

GUARD = """
CREATE OR REPLACE FUNCTION casework_escalation_fired_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'escalation % was fired: % refused', OLD.id, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER casework_escalation_fired_guard BEFORE UPDATE OR DELETE ON casework_escalation
    FOR EACH ROW WHEN (OLD.fired_at IS NOT NULL)
    EXECUTE FUNCTION casework_escalation_fired_guard();
"""


def fired_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(GUARD)


def fired_guard_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER IF EXISTS casework_escalation_fired_guard ON casework_escalation;"
                "DROP FUNCTION IF EXISTS casework_escalation_fired_guard();"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0003_role_groups'),
    ]

    operations = [
        migrations.CreateModel(
            name='Escalation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(choices=[(1, 'Stage deadline passed: reminder to the assignee'), (2, 'Stage deadline passed a working day ago: head of department and akimat'), (3, 'Legal answer deadline passed: flagged for anti-corruption investigators')], verbose_name='level')),
                ('deadline_at', models.DateTimeField(verbose_name='deadline')),
                ('fire_at', models.DateTimeField(verbose_name='escalates at')),
                ('stage', models.CharField(max_length=32, verbose_name='stage')),
                ('fired_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='casework.case')),
                ('event', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='casework.caseevent')),
            ],
            options={
                'verbose_name': 'escalation',
                'verbose_name_plural': 'escalations',
                'indexes': [models.Index(condition=models.Q(('fired_at__isnull', True)), fields=['fire_at'], name='escalation_pending'), models.Index(fields=['level', 'fired_at'], name='escalation_level_fired')],
                'constraints': [models.UniqueConstraint(fields=('case', 'level', 'deadline_at'), name='one_escalation_per_deadline')],
            },
        ),
        migrations.RunPython(fired_guard, fired_guard_drop, elidable=False),
    ]
