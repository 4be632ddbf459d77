"""The six staff roles exist as groups in every database."""

from django.db import migrations

ROLES = ("clerk", "officer", "inspector", "contractor", "investigator", "manager")


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_postgres_guards"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
