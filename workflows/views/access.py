"""Who may open the staff application, and how a refusal looks."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import roles
from casework.models import Case
from casework.selectors import cases_visible_to
from workflows.services import staff_preference_set

TITLES = {
    400: gettext_lazy("Please correct the form"),
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Not allowed"),
    409: gettext_lazy("Someone was faster"),
}


def refuse(request, status: int, message: str):
    return render(
        request,
        "workflows/refused.html",
        {"status": status, "title": TITLES.get(status, ""), "message": message},
        status=status,
    )


def is_staff_member(user) -> bool:
    return bool(user.is_active and (roles.user_roles(user) or user.is_superuser))


def remember_language(request) -> None:
    """Staff e-mails go out in the language the person last used here."""
    language = getattr(request, "LANGUAGE_CODE", None)
    if not language or request.session.get("workflows_language") == language:
        return
    staff_preference_set(request.user, language=language)
    request.session["workflows_language"] = language


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            return refuse(request, 403, _("This part of Baqylau is for staff."))
        remember_language(request)
        return view(request, *args, **kwargs)

    return wrapper


def post_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            response = refuse(request, 405, _("Use the buttons on the page."))
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def visible_case(user, pk: int) -> Case | None:
    return (
        cases_visible_to(user)
        .select_related("category", "district", "department", "region", "complainant")
        .filter(pk=pk)
        .first()
    )
