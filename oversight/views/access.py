"""Who may open the oversight pages of the staff application (`oversight.profiles`)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _

from oversight.profiles import may_open_pages


def page_viewer(view):
    """Investigators and managers (their region) and superusers; anyone else signed in gets 404,
    as if the page did not exist: a clerk, an officer, an inspector or a contractor has no need
    to know that an official's file is kept."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_open_pages(request.user):
            raise Http404(_("No such page."))
        return view(request, *args, **kwargs)

    return wrapper
