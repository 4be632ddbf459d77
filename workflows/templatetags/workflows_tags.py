"""Template helpers of the staff application."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework import clock, deadlines

register = template.Library()


@register.simple_tag
def deadline(moment, closed: bool = False):
    """A countdown in working days: "in 3 working days", "today, by 17:00", "2 days overdue"."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    full = local.strftime("%d.%m.%Y %H:%M")
    if closed:
        return format_html('<span class="deadline">{}</span>', full)
    now = clock.now()
    if moment >= now:
        days = deadlines.working_days_between(now, moment)
        if days == 0:
            text = _("today, by %(time)s") % {"time": local.strftime("%H:%M")}
            css = "soon"
        else:
            text = ngettext("in %(n)d working day", "in %(n)d working days", days) % {"n": days}
            css = "soon" if days <= 1 else "ok"
    else:
        days = deadlines.working_days_between(moment, now)
        if days == 0:
            text = _("overdue since %(time)s") % {"time": local.strftime("%H:%M")}
        else:
            text = ngettext("%(n)d working day overdue", "%(n)d working days overdue", days) % {
                "n": days
            }
        css = "overdue"
    return format_html(
        '<span class="deadline {}" title="{}"><time datetime="{}">{}</time> · {}</span>',
        css,
        full,
        moment.isoformat(),
        full,
        text,
    )


@register.filter
def who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
