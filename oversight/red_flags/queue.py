"""Reading and deciding red-flag hits: the investigator's queue and dismissal.

`red_flag_queue(user, filters)` is the only way to read hits: an investigator sees the hits of
their own region (superusers all), ranked by score, then money. `red_flag_dismiss(hit, user,
reason)` dismisses one with a reason, audited as a `RedFlagDecision`; new evidence reopens it
(`oversight.red_flags.store`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import clock, roles
from oversight.models import AcceptanceActSignatory, RedFlagDecision, RedFlagHit
from oversight.red_flags.registry import INDICATORS

REASON_MAX = 4000
FILTERS = ("indicator", "district", "contractor", "person", "since", "until", "min_money", "status")


def _region_of(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return getattr(profile, "region_id", None) if profile is not None else None


def hits_visible_to(user) -> QuerySet[RedFlagHit]:
    """Hits an investigator may see: those of their region. Nobody else (superusers: all)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return RedFlagHit.objects.none()
    if getattr(user, "is_superuser", False):
        return RedFlagHit.objects.all()
    if roles.INVESTIGATOR not in roles.user_roles(user):
        return RedFlagHit.objects.none()
    region = _region_of(user)
    return RedFlagHit.objects.filter(region_id=region) if region else RedFlagHit.objects.none()


def _day(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 9000:
        raise ValidationError({"period": _("Give dates as YYYY-MM-DD.")})
    return day


def _int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 0 < number < 2**63:
        raise ValidationError({field: _("Choose one of the listed values.")})
    return number


def red_flag_queue(user, filters: dict[str, Any] | None = None) -> QuerySet[RedFlagHit]:
    """The hits `user` may see, open ones unless a status is asked for, filtered and ranked by
    score, then money at stake. Filters: indicator, district, contractor, person (an official),
    since/until (when the facts happened, local dates), min_money (KZT), status."""
    filters = filters or {}
    hits = hits_visible_to(user)
    status = filters.get("status") or RedFlagHit.Status.OPEN
    if status != "all":
        if status not in RedFlagHit.Status.values:
            raise ValidationError({"status": _("Choose one of the listed values.")})
        hits = hits.filter(status=status)
    if filters.get("indicator"):
        if filters["indicator"] not in INDICATORS:
            raise ValidationError({"indicator": _("Choose one of the listed values.")})
        hits = hits.filter(indicator=filters["indicator"])
    for name in ("district", "contractor", "person"):
        value = _int(filters.get(name), name)
        if value is not None:
            hits = hits.filter(**{f"{name}_id": value})
    zone = timezone.get_current_timezone()
    since, until = _day(filters.get("since")), _day(filters.get("until"))
    if since is not None:
        hits = hits.filter(occurred_at__gte=dt.datetime.combine(since, dt.time(), tzinfo=zone))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        hits = hits.filter(occurred_at__lt=end)
    if filters.get("min_money") not in (None, ""):
        try:
            minimum = Decimal(str(filters["min_money"]))
        except InvalidOperation:
            minimum = Decimal("NaN")
        if not minimum.is_finite() or abs(minimum) >= Decimal("1e16"):
            raise ValidationError({"min_money": _("Enter the amount in tenge.")})
        hits = hits.filter(money_kzt__gte=minimum)
    return hits.select_related("region", "district", "contractor", "person").order_by(
        "-score", "-money_kzt", "-id"
    )


def hit_person_post(hit: RedFlagHit) -> str:
    """The official a hit names, as "Name, post": for an act, the post the person signed it in
    (recorded on the act); otherwise the post held when the latest fact occurred."""
    # oversight.selectors re-exports this module's readers: import it here, not at the top.
    from oversight.display import occupancy_text
    from oversight.selectors import post_held

    person = hit.person
    if person is None:
        return ""
    if hit.subject_kind == "act":
        signature = (
            AcceptanceActSignatory.objects.filter(act_id=hit.subject_id, person=person)
            .select_related("position")
            .order_by("id")
            .first()
        )
        if signature is not None and signature.position is not None:
            return _("%(name)s, %(post)s") % {
                "name": person.full_name,
                "post": signature.position.title,
            }
    return occupancy_text(person, post_held(person, hit.occurred_at or timezone.now()))


def hits_of_person(user, person_id: int) -> QuerySet[RedFlagHit]:
    """Every hit naming an official that `user` may see, any status (for the official's page)."""
    return red_flag_queue(user, {"person": person_id, "status": "all"})


def hits_of_contractor(user, contractor_id: int) -> QuerySet[RedFlagHit]:
    """Every hit naming a contractor that `user` may see, any status (for its page)."""
    return red_flag_queue(user, {"contractor": contractor_id, "status": "all"})


def red_flag_dismiss(hit: RedFlagHit | int, user, reason: str) -> RedFlagHit:
    """Dismiss a hit, saying why (required). The decision is recorded; the hit comes back if its
    evidence grows."""
    text = (reason or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"reason": _("Say why the red flag is dismissed.")})
    if len(text) > REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(n)d characters, please.") % {"n": REASON_MAX}}
        )
    pk = hit.pk if isinstance(hit, RedFlagHit) else hit
    with transaction.atomic():
        locked = hits_visible_to(user).select_for_update().filter(pk=pk).first()
        if locked is None:
            raise PermissionDenied(_("You may not decide on this red flag."))
        if locked.status == RedFlagHit.Status.DISMISSED:
            raise ValidationError({"status": _("This red flag is already dismissed.")})
        now = clock.now()
        locked.status = RedFlagHit.Status.DISMISSED
        locked.dismissed_by = user
        locked.dismissed_at = now
        locked.dismissal_reason = text
        locked.save(update_fields=["status", "dismissed_by", "dismissed_at", "dismissal_reason"])
        RedFlagDecision.objects.create(
            hit=locked,
            action=RedFlagDecision.Action.DISMISSED,
            decided_by=user,
            decided_at=now,
            reason=text,
            evidence=locked.evidence,
        )
        return locked
