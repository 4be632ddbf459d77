"""The materialised figures: one row per person, post and period, written by
`ratings.figures.figures_refresh` (nightly and `manage.py ratings_refresh`). Derived data: a
refresh replaces a year's rows; the pages read nothing else."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RatingFigure(models.Model):
    class PeriodKind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    person = models.ForeignKey("oversight.Person", on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey("oversight.Position", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("casework.Region", on_delete=models.CASCADE, related_name="+")
    # region_akim, akim (city and district akims) or head:<sector>: ranks never mix groups.
    peer_group = models.CharField(max_length=80)
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField()
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    warranty = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    open_end = models.PositiveIntegerField(default=0)
    overdue_end = models.PositiveIntegerField(default=0)
    median_days = models.FloatField(null=True)
    result_votes = models.PositiveIntegerField(default=0)
    result_total = models.PositiveIntegerField(default=0)
    answer_votes = models.PositiveIntegerField(default=0)
    answer_total = models.PositiveIntegerField(default=0)
    # Bayesian averages pulled toward the peer group's mean (null without any vote in the group).
    result_score = models.FloatField(null=True)
    answer_score = models.FloatField(null=True)
    # Null below RATINGS_MIN_CASES closings: "not enough data", no rank.
    score = models.FloatField(null=True)
    contributions = models.JSONField(default=dict)  # component -> weighted contribution
    rank = models.PositiveIntegerField(null=True)
    ranked = models.PositiveIntegerField(default=0)  # how many of the peer group were ranked
    previous_rank = models.PositiveIntegerField(null=True)
    rank_driver = models.CharField(max_length=32, blank=True)  # the component that moved it
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rating figure")
        verbose_name_plural = _("rating figures")
        ordering = ["peer_group", "period_kind", "-period_start", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "position", "period_kind", "period_start"],
                name="one_rating_figure_per_post_period",
            )
        ]
        indexes = [
            models.Index(
                fields=["period_kind", "period_start", "peer_group", "rank"],
                name="rating_figure_listing",
            ),
            models.Index(fields=["person", "period_kind", "period_start"], name="rating_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.position_id} {self.period_kind} {self.period_start}"
