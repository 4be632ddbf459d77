"""The vote pages: the complainant's form (public, reached from the tracking page or the link in
the request to vote), a clerk's form for a vote given on the phone, and the staff list of held
votes to release or reject. Every write goes through `ratings.votes` / `ratings.vote_abuse`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework import clock
from casework.client_ip import client_ip
from casework.models import Case
from casework.public import case_by_code, token_matches
from casework.roles import CLERK, user_roles
from casework.selectors import cases_visible_to
from casework.tracking import tracking_code_normal
from ratings.models import VoteHold
from ratings.vote_abuse import REVIEWER_ROLES, hold_review
from ratings.vote_forms import ClerkVoteForm, HoldReviewForm, VoteForm
from ratings.vote_selectors import holds_to_review, vote_current
from ratings.votes import closing_for_vote, vote_cast, vote_frozen_at, vote_record_by_clerk


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _vote_page(request, case: Case, token: str, form: VoteForm, *, status: int = 200, errors=None):
    closing = closing_for_vote(case)
    current = vote_current(case.pk, closing.pk) if closing else None
    frozen_at = vote_frozen_at(closing) if closing else None
    return render(
        request,
        "ratings/vote_form.html",
        {
            "case": case,
            "token": token,
            "form": form,
            "closing": closing,
            "current": current,
            "frozen_at": frozen_at,
            "frozen": frozen_at is not None and clock.now() > frozen_at,
            "errors": errors or {},
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def vote_form(request: HttpRequest, code: str) -> HttpResponse:
    """The complainant's vote: only for the holder of the case's link; a wrong token looks
    exactly like an unknown code (404), as on the tracking page."""
    token = (request.POST if request.method == "POST" else request.GET).get("t", "")
    case = case_by_code(code, token)
    if case is None or not token_matches(case, token):
        raise Http404("no such tracking code")
    if request.method == "GET":
        closing = closing_for_vote(case)
        current = vote_current(case.pk, closing.pk) if closing else None
        initial = (
            {
                "result_score": current.result_score,
                "answer_score": current.answer_score,
                "comment": current.comment,
            }
            if current
            else None
        )
        return _vote_page(request, case, token, VoteForm(initial=initial))
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _vote_page(request, case, token, form, status=400)
    try:
        vote_cast(
            case,
            token=token,
            source=client_ip(request),
            **form.cleaned_data,
        )
    except PermissionDenied:
        raise Http404("no such tracking code") from None
    except ValidationError as exc:
        return _vote_page(request, case, token, form, status=400, errors=_errors(exc))
    messages.success(request, _("Thank you: your scores are recorded."))
    return redirect(reverse("track:case", args=[case.tracking_code]) + f"?t={token}")


def _clerk_only(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if CLERK not in user_roles(request.user):
            raise Http404(_("No such page."))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_clerk_only
@never_cache
@require_http_methods(["GET", "POST"])
def vote_record(request: HttpRequest) -> HttpResponse:
    """A clerk records the scores a caller gave on the phone, under the clerk's name."""
    if request.method == "GET":
        form = ClerkVoteForm(initial={"tracking_code": request.GET.get("code", "")})
        return render(request, "ratings/vote_record.html", {"form": form})
    form = ClerkVoteForm(request.POST)
    status = 400
    if form.is_valid():
        data = dict(form.cleaned_data)
        code = tracking_code_normal(data.pop("tracking_code"))
        case = cases_visible_to(request.user).filter(tracking_code__iexact=code).first()
        if case is None:
            form.add_error("tracking_code", _("No such case in your district."))
        else:
            try:
                vote_record_by_clerk(case, actor=request.user, **data)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                for field, errors in _errors(exc).items():
                    for error in errors:
                        form.add_error(None if field in ("__all__", "case") else field, error)
            else:
                messages.success(request, _("The caller's scores are recorded."))
                return redirect("ratings_staff:vote_record")
    return render(request, "ratings/vote_record.html", {"form": form}, status=status)


def _reviewer_only(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (REVIEWER_ROLES & user_roles(request.user) or request.user.is_superuser):
            raise Http404(_("No such page."))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@_reviewer_only
@never_cache
def vote_holds(request: HttpRequest, *, status: int = 200, errors=None) -> HttpResponse:
    """Held votes waiting for review in the reviewer's scope (no voter is named)."""
    holds = list(holds_to_review(request.user)[:200])
    return render(
        request,
        "ratings/vote_holds.html",
        {"holds": holds, "errors": errors or {}},
        status=status,
    )


@_reviewer_only
@require_POST
def vote_hold_review(request: HttpRequest, pk: int) -> HttpResponse:
    in_scope = VoteHold.objects.filter(pk=pk, vote__case__in=cases_visible_to(request.user))
    if not (request.user.is_superuser or in_scope.exists()):
        raise Http404(_("No such held vote."))
    form = HoldReviewForm(request.POST)
    if not form.is_valid():
        return vote_holds(request, status=400, errors=form.errors)
    try:
        hold_review(pk, actor=request.user, **form.cleaned_data)
    except PermissionDenied:
        raise Http404(_("No such page.")) from None
    except ValidationError as exc:
        return vote_holds(request, status=400, errors=_errors(exc))
    messages.success(request, _("The review is recorded."))
    return redirect("ratings_staff:vote_holds")
