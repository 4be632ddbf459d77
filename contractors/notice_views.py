"""The contractor portal's notices page: the same notices as the staff one, for the company's
people, inside the portal (they do not work in /staff/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework.staff_notices import (
    notice_link,
    staff_notice_open,
    staff_notice_rows,
    staff_notices_read_all,
)
from contractors.selectors import contractor_of


def _contractor_company(request) -> int:
    company = contractor_of(request.user)
    if company is None:
        raise PermissionDenied(_("This page is for contractors' staff."))
    return company


@login_required
def notices(request):
    _contractor_company(request)
    return render(
        request,
        "contractors/notices.html",
        {
            "rows": staff_notice_rows(request.user),
            "open_url": "contractors:notice",
            "read_all_url": "contractors:notices-read",
        },
    )


@login_required
def notice_open(request, pk: int):
    _contractor_company(request)
    notice = staff_notice_open(request.user, pk)
    if notice is None:
        raise Http404(_("No such notice, or it is not yours."))
    return redirect(notice_link(notice) or "contractors:notices")


@login_required
@require_POST
def notices_read(request):
    _contractor_company(request)
    staff_notices_read_all(request.user)
    messages.success(request, _("All notices are marked read."))
    return redirect("contractors:notices")
