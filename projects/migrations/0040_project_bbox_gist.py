"""PostgreSQL only: a GiST index on each project's bounding box, for the map's bbox filter
(projects/bbox_query.py writes the same expression in its queries). Two btree indexes on
(min_lon, min_lat) and (max_lon, max_lat) still left PostgreSQL reading about half of one for a
street-sized box; SQLite keeps the plain comparisons."""

from django.db import migrations

NAME = "project_bbox_gist"
EXPRESSION = "box(point(min_lon, min_lat), point(max_lon, max_lat))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON projects_project USING gist (({EXPRESSION}))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0020_chat_codes")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
