"""An index for the queues: untaken tasks by role and scope (viewflow's task table has none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial"), ("viewflow", "0015_task_scheduled")]
    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS workflows_task_queue ON viewflow_task "
            "(owner_permission, owner_permission_obj_pk, owner_permission_content_type_id) "
            "WHERE status = 'NEW'",
            "DROP INDEX IF EXISTS workflows_task_queue",
            elidable=False,
        )
    ]
