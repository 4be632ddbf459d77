"""Cases per map grid cell, kept by the database as cases change (casework/map_cells.py says why
and how; migration 0014 holds the PostgreSQL trigger that maintains it)."""

from __future__ import annotations

from django.db import models


class CaseMapCell(models.Model):
    """How many cases with a point lie in one cell of the map grid at one level, per state,
    category and district, with the sums of their coordinates (for the cluster's centre).

    Level k cuts the world into square cells 90 / 2**k degrees wide anchored at (-180, -90), the
    very cells `casework.geo_clusters` groups by at that size. Written only by the trigger;
    `version` goes up and `changed_at` moves at every change (the map's ETag and Last-Modified).
    Rows whose count fell to zero stay (and are skipped when read)."""

    level = models.PositiveSmallIntegerField()
    cx = models.IntegerField()
    cy = models.IntegerField()
    state = models.CharField(max_length=32)
    category = models.ForeignKey(
        "casework.Category", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    district = models.ForeignKey(
        "casework.District", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    n = models.IntegerField(default=0)
    lon_sum = models.FloatField(default=0.0)
    lat_sum = models.FloatField(default=0.0)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "cx", "cy", "state", "category", "district"],
                name="one_map_cell_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"L{self.level} ({self.cx}, {self.cy}) {self.state}: {self.n}"
