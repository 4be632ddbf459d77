"""The demo's citizens' votes: most complainants of closed cases scored the result and the answer
a few hours to a few days after the closing, through the real service (chained, screened by the
abuse checks); some changed their mind once."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from casework import clock
from casework.models import Case
from ratings.votes import closing_for_vote, vote_cast

# The scores citizens give, roughly: most are content with a verified repair, few with a
# rejection.
VERIFIED_SCORES = [5, 5, 4, 4, 4, 3, 2, 1]
REJECTED_SCORES = [1, 1, 2, 2, 3, 4]


def votes_seed(rng: random.Random, share: float = 0.6) -> int:
    """Cast a vote on about `share` of the cases closed by a verify or reject. Returns how many
    votes were cast."""
    made = 0
    now = timezone.now()
    closed = Case.objects.filter(state__in=("verified", "rejected")).select_related("category")
    for case in closed.order_by("pk").iterator():
        if rng.random() > share:
            continue
        closing = closing_for_vote(case)
        if closing is None:
            continue
        pool = VERIFIED_SCORES if closing.action == "verify" else REJECTED_SCORES
        moment = closing.created_at + dt.timedelta(hours=rng.randint(2, 24 * 5))
        changes = 2 if rng.random() < 0.1 else 1
        if moment + dt.timedelta(days=changes - 1) > now:
            continue  # closed too recently for a vote in the demo's past
        for step in range(changes):
            with clock.frozen_at(moment + dt.timedelta(days=step)):
                vote_cast(
                    case,
                    token=case.access_token,
                    result_score=rng.choice(pool),
                    answer_score=rng.choice(pool),
                    source=f"198.51.100.{rng.randint(1, 254)}",
                )
            made += 1
    return made
