"""The official's and the contractor's pages, and the lists that lead to them."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from oversight import profiles
from oversight.accountability import Accountability
from oversight.views.access import page_viewer
from oversight.views.filters import ContractorFilterForm, OfficialFilterForm


def _sections(accountability: Accountability) -> list[dict]:
    return [
        {
            "key": "red-flags",
            "title": _("Red flags"),
            "items": accountability.red_flags,
            "empty": _("No red flags."),
        },
        {
            "key": "inquiries",
            "title": _("Inquiries"),
            "items": accountability.inquiries,
            "empty": _("No inquiries you may see."),
        },
        {
            "key": "sanctions",
            "title": _("Sanctions"),
            "items": accountability.sanctions,
            "empty": _("No sanctions."),
        },
    ]


@page_viewer
def official_list(request):
    form = OfficialFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    rows = (
        profiles.officials_list(
            request.user,
            query=data.get("q") or "",
            kind=data.get("kind") or "",
            district=data.get("district"),
        )
        if valid
        else []
    )
    return render(
        request,
        "oversight/officials.html",
        {"form": form, "rows": rows, "nav": "officials", "tab": "officials"},
        status=200 if valid else 400,
    )


@page_viewer
@never_cache
def official_page(request, pk: int):
    person = profiles.people_visible_to(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404(_("No such official, or not yours to see."))
    context = profiles.official_page(person, request.user)
    context["sections"] = _sections(context["accountability"])
    return render(request, "oversight/official.html", {**context, "nav": "officials"})


@page_viewer
def contractor_list(request):
    form = ContractorFilterForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    query = form.cleaned_data.get("q", "") if request.GET and valid else ""
    return render(
        request,
        "oversight/contractors.html",
        {
            "form": form,
            "contractors": profiles.contractors_list(request.user, query=query) if valid else [],
            "nav": "officials",
            "tab": "contractors",
        },
        status=200 if valid else 400,
    )


@page_viewer
@never_cache
def contractor_page(request, pk: int):
    contractor = profiles.contractors_visible_to(request.user).filter(pk=pk).first()
    if contractor is None:
        raise Http404(_("No such contractor, or not yours to see."))
    context = profiles.contractor_page(contractor, request.user)
    context["sections"] = _sections(context["accountability"])
    return render(request, "oversight/contractor.html", {**context, "nav": "officials"})
