"""The notices page (the bell's): newest first, each opened through here so that it is marked
read on the way to what it is about."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from casework.staff_notices import (
    notice_link,
    staff_notice_open,
    staff_notice_rows,
    staff_notices_read_all,
)
from workflows.views.access import post_only, refuse, staff_required
from workflows.views.lists import counts


@staff_required
def notices(request):
    return render(
        request,
        "workflows/notices.html",
        {
            "rows": staff_notice_rows(request.user),
            "open_url": "workflows:notice",
            "read_all_url": "workflows:notices-read",
            "nav": "notices",
            "counts": counts(request.user),
        },
    )


@staff_required
def notice_open(request, pk: int):
    notice = staff_notice_open(request.user, pk)
    if notice is None:
        return refuse(request, 404, _("No such notice, or it is not yours."))
    return redirect(notice_link(notice) or "workflows:notices")


@staff_required
@post_only
def notices_read(request):
    staff_notices_read_all(request.user)
    messages.success(request, _("All notices are marked read."))
    return redirect("workflows:notices")
