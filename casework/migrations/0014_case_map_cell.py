"""The map's grid aggregate (casework/map_cells.py): the table, and on PostgreSQL the trigger
that keeps it current as cases are inserted, change state, category, district or place, or are
deleted, and a function that recounts it (run once here for the cases already there). On SQLite
the table stays empty and the map groups the cases themselves."""

import django.db.models.deletion
from django.db import migrations, models

# The levels kept: 0 (the world in four cells) to 17 (cells of about 50 m). Finer views read
# the cases themselves (casework/map_cells.py).
TOP_LEVEL = 17

FUNCTION = f"""
CREATE OR REPLACE FUNCTION casework_case_map_cells() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.state IS NOT DISTINCT FROM OLD.state
       AND NEW.category_id IS NOT DISTINCT FROM OLD.category_id
       AND NEW.district_id IS NOT DISTINCT FROM OLD.district_id
       AND NEW.latitude IS NOT DISTINCT FROM OLD.latitude
       AND NEW.longitude IS NOT DISTINCT FROM OLD.longitude THEN
        RETURN NULL;
    END IF;
    -- One statement, rows in key order: two transactions moving cases between the same cells
    -- lock them in the same order (no deadlock).
    INSERT INTO casework_casemapcell
        (level, cx, cy, state, category_id, district_id, n, lon_sum, lat_sum, version, changed_at)
    SELECT level, cx, cy, state, category_id, district_id, sum(dn), sum(dlon), sum(dlat), 1, now()
    FROM (
        SELECT l AS level,
               floor((OLD.longitude::float8 + 180.0) / (90.0 / 2 ^ l))::int AS cx,
               floor((OLD.latitude::float8 + 90.0) / (90.0 / 2 ^ l))::int AS cy,
               OLD.state AS state, OLD.category_id AS category_id,
               OLD.district_id AS district_id,
               -1 AS dn, -OLD.longitude::float8 AS dlon, -OLD.latitude::float8 AS dlat
        FROM generate_series(0, {TOP_LEVEL}) AS l
        WHERE TG_OP <> 'INSERT' AND OLD.longitude IS NOT NULL AND OLD.latitude IS NOT NULL
        UNION ALL
        SELECT l,
               floor((NEW.longitude::float8 + 180.0) / (90.0 / 2 ^ l))::int,
               floor((NEW.latitude::float8 + 90.0) / (90.0 / 2 ^ l))::int,
               NEW.state, NEW.category_id, NEW.district_id,
               1, NEW.longitude::float8, NEW.latitude::float8
        FROM generate_series(0, {TOP_LEVEL}) AS l
        WHERE TG_OP <> 'DELETE' AND NEW.longitude IS NOT NULL AND NEW.latitude IS NOT NULL
    ) AS change
    GROUP BY level, cx, cy, state, category_id, district_id
    ORDER BY level, cx, cy, state, category_id, district_id
    ON CONFLICT (level, cx, cy, state, category_id, district_id) DO UPDATE SET
        n = casework_casemapcell.n + EXCLUDED.n,
        lon_sum = casework_casemapcell.lon_sum + EXCLUDED.lon_sum,
        lat_sum = casework_casemapcell.lat_sum + EXCLUDED.lat_sum,
        version = casework_casemapcell.version + 1,
        changed_at = now();
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

TRIGGER = """
CREATE TRIGGER casework_case_map_cells
    AFTER INSERT OR DELETE OR UPDATE OF state, category_id, district_id, latitude, longitude
    ON casework_case
    FOR EACH ROW EXECUTE FUNCTION casework_case_map_cells()
"""

# Recount every cell from the cases (after a bulk load with the trigger disabled, or to check).
REBUILD = f"""
CREATE OR REPLACE FUNCTION casework_case_map_cells_rebuild() RETURNS void AS $$
BEGIN
    LOCK TABLE casework_casemapcell IN EXCLUSIVE MODE;
    DELETE FROM casework_casemapcell;
    INSERT INTO casework_casemapcell
        (level, cx, cy, state, category_id, district_id, n, lon_sum, lat_sum, version, changed_at)
    SELECT l,
           floor((c.longitude::float8 + 180.0) / (90.0 / 2 ^ l))::int AS cx,
           floor((c.latitude::float8 + 90.0) / (90.0 / 2 ^ l))::int AS cy,
           c.state, c.category_id, c.district_id,
           count(*), sum(c.longitude::float8), sum(c.latitude::float8), 1, now()
    FROM casework_case AS c CROSS JOIN generate_series(0, {TOP_LEVEL}) AS l
    WHERE c.longitude IS NOT NULL AND c.latitude IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6;
    ANALYZE casework_casemapcell;
END
$$ LANGUAGE plpgsql
"""

FORWARDS = [FUNCTION, TRIGGER, REBUILD, "SELECT casework_case_map_cells_rebuild()"]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS casework_case_map_cells ON casework_case",
    "DROP FUNCTION IF EXISTS casework_case_map_cells()",
    "DROP FUNCTION IF EXISTS casework_case_map_cells_rebuild()",
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
    dependencies = [
        ("casework", "0013_case_place_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseMapCell",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("level", models.PositiveSmallIntegerField()),
                ("cx", models.IntegerField()),
                ("cy", models.IntegerField()),
                ("state", models.CharField(max_length=32)),
                ("n", models.IntegerField(default=0)),
                ("lon_sum", models.FloatField(default=0.0)),
                ("lat_sum", models.FloatField(default=0.0)),
                ("version", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField()),
                (
                    "category",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="casework.category",
                    ),
                ),
                (
                    "district",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="casework.district",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("level", "cx", "cy", "state", "category", "district"),
                        name="one_map_cell_per_key",
                    )
                ],
            },
        ),
        PostgresOnlySQL(FORWARDS, BACKWARDS, elidable=False),
    ]
