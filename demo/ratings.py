"""The demo's ratings: the figures materialised from the demo's cases, as the nightly task would
(this year and the last, which the demo's histories reach into)."""

from __future__ import annotations

from django.utils import timezone

from ratings.figures import figures_refresh


def ratings_seed() -> int:
    year = timezone.localdate().year
    return figures_refresh(year - 1) + figures_refresh(year)
