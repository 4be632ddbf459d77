"""The staff moderation queue (/staff/projects/comments/): the citizens' comments in the projects
a manager (of the region) or an officer (of the department) moderates, waiting ones oldest first;
publish, hide with a reason, reply as an official. Every write goes through projects.comments.

Each form carries what it saw of the comment (`comments.comment_seen`): when another moderator
acted meanwhile, the page comes back with 409 and a message, and nothing is written. A missing
reason or reply text is a 400 with the message at the comment; a comment outside the user's
projects is a 404.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casework import roles
from oversight.selectors import post_held
from projects import comments
from projects.models import Comment

PAGE_SIZE = 25


def moderator_required(view):
    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles.user_roles(request.user) & {roles.MANAGER, roles.OFFICER}:
            raise PermissionDenied(_("Only the project's managers and officers moderate comments."))
        return view(request, *args, **kwargs)

    return wrapper


def _status(request: HttpRequest) -> str | None:
    status = request.GET.get("status") or Comment.Status.PENDING
    return status if status in Comment.Status.values else None


def _page_number(request: HttpRequest) -> int:
    page = request.GET.get("page", "")
    return int(page) if page.isdigit() and int(page) > 0 else 1


def _query(status: str, page: int) -> str:
    """The list's place (filter and page) as a query string; built from checked values only."""
    return urlencode({"status": status, **({"page": page} if page > 1 else {})})


def _row(comment: Comment, errors: dict, values: dict) -> dict:
    """One comment of the list, with the messages and the typed text a refused form left."""
    typed = values.get(comment.pk, {})
    return {
        "comment": comment,
        "seen": comments.comment_seen(comment, comment.reply_count),
        "waiting": comment.status == Comment.Status.PENDING,
        "replies": list(comment.replies.all()),
        "errors": [m for messages_ in errors.get(comment.pk, {}).values() for m in messages_],
        "reason": typed.get("reason", ""),
        "reply": typed.get("reply", ""),
    }


@moderator_required
def queue(
    request: HttpRequest,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    shown = _status(request)
    filter_error = ""
    if shown is None:
        filter_error = _("Choose waiting, published or hidden comments.")
        shown, status = Comment.Status.PENDING, 400
        rows = Comment.objects.none()
    else:
        rows = comments.moderation_queue(request.user, shown)
    page = Paginator(rows, PAGE_SIZE).get_page(_page_number(request))
    return render(
        request,
        "projects/staff/comments.html",
        {
            "nav": "project_comments",
            "page": page,
            "rows": [_row(c, errors or {}, values or {}) for c in page.object_list],
            "shown": shown,
            "statuses": Comment.Status.choices,
            "query": _query(shown, page.number),
            "filter_error": filter_error,
            "post_today": post_held(
                request.user, timezone.now(), role=roles.primary_role(request.user)
            ),
            "conflict": conflict,
        },
        status=status,
    )


def _to_moderate_or_404(request: HttpRequest, pk: int) -> Comment:
    comment = comments.comments_to_moderate(request.user).filter(pk=pk).first()
    if comment is None:
        raise Http404(_("No such comment."))
    return comment


def _seen(request: HttpRequest) -> str:
    seen = request.POST.get("seen", "")
    if not seen:
        raise ValidationError(_("This form is out of date. Reload the page and try again."))
    return seen


def _acted(request: HttpRequest, pk: int, act, values: dict, done: str) -> HttpResponse:
    """Run `act(seen)` for comment `pk`; back to the list, or the list again with why not."""
    _to_moderate_or_404(request, pk)
    try:
        act(_seen(request))
    except comments.CommentChanged as exc:
        return queue(request, conflict=str(exc), status=409)
    except ValidationError as exc:
        found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return queue(request, errors={pk: found}, values={pk: values}, status=400)
    messages.success(request, done)
    shown = _status(request) or Comment.Status.PENDING
    return redirect(reverse("projects_staff:comments") + "?" + _query(shown, _page_number(request)))


@moderator_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    if action == "publish":
        return _acted(
            request,
            pk,
            lambda seen: comments.comment_publish(pk, actor=request.user, seen=seen),
            {},
            _("The comment is published."),
        )
    if action == "hide":
        return _acted(
            request,
            pk,
            lambda seen: comments.comment_hide(pk, actor=request.user, reason=reason, seen=seen),
            {"reason": reason},
            _("The comment is hidden; the reason is kept."),
        )
    _to_moderate_or_404(request, pk)
    error = {"action": [_("Choose publish or hide.")]}
    return queue(request, errors={pk: error}, values={pk: {"reason": reason}}, status=400)


@moderator_required
@require_POST
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    text = request.POST.get("text", "")
    return _acted(
        request,
        pk,
        lambda seen: comments.comment_reply_official(pk, actor=request.user, text=text, seen=seen),
        {"reply": text},
        _("Your reply is published."),
    )
