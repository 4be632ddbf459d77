"""Public pages of a project's online visit: /projects/<code>/visit/ (cameras and comments, the
part projcore's full project page embeds with the two includes), the snapshot images, and the
comment, code, follow and moderation forms the includes post to.

Bad input gets the page again with the field messages (400) and changes nothing; a refused
moderator gets 403, an unknown project or comment 404, a client over its allowance 429.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import get_usage

from casework.client_ip import client_ip_key
from casework.media import file_response
from projects import cameras, chat_codes, comments, follows
from projects.models import Comment, Commenter, Project

log = logging.getLogger(__name__)

SESSION_CODE = "projects_email_code"
# The chat code this browser asked for: {"id": row id, "code": "P-482913"} (the code is shown
# again on each page until it is used; the database keeps only its digest).
SESSION_CHAT_CODE = "projects_chat_code"
SESSION_COMMENTER = "projects_commenter"
CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def over_limit(request: HttpRequest, group: str, default_rate: str) -> bool:
    rate = getattr(settings, "PROJECT_COMMENT_RATES", {}).get(group, default_rate)
    try:
        usage = get_usage(request, group=group, key=client_ip_key, rate=rate, increment=True)
    except Exception:
        log.warning("rate limit cache unavailable; %s is not limited meanwhile", group)
        return False
    return usage is not None and usage["should_limit"]


def session_commenter(request: HttpRequest) -> Commenter | None:
    commenter_id = request.session.get(SESSION_COMMENTER)
    return Commenter.objects.filter(pk=commenter_id).first() if commenter_id else None


def _project(code: str) -> Project:
    return get_object_or_404(Project, code=code)


def _back(project: Project) -> HttpResponse:
    return redirect(reverse("projects:visit", args=[project.code]) + "#comments")


def _again(request, project, errors: ValidationError, values: dict, status=400) -> HttpResponse:
    field_errors = errors.message_dict if hasattr(errors, "error_dict") else {"": errors.messages}
    return render(
        request,
        "projects/visit.html",
        {"project": project, "comment_errors": field_errors, "comment_values": values},
        status=status,
    )


def _limited(request, project) -> HttpResponse:
    error = ValidationError(_("Too many attempts from your address. Try again in an hour."))
    return _again(request, project, error, {}, status=429)


@require_GET
def visit(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "projects/visit.html", {"project": _project(code)})


@require_GET
def snapshot_image(request: HttpRequest, code: str, snapshot_id: int) -> HttpResponse:
    snapshot = cameras.public_snapshot(code, snapshot_id)
    if snapshot is None:
        raise Http404("no such snapshot")
    name = snapshot.image.name
    return file_response(
        snapshot.image.storage,
        name,
        content_type=CONTENT_TYPES.get(name[name.rfind(".") :], "application/octet-stream"),
        cache_control="public, max-age=86400",
    )


@require_POST
def email_code(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(code)
    if over_limit(request, "projects.email_code", "10/h"):
        return _limited(request, project)
    email = request.POST.get("email", "")
    try:
        row = comments.email_code_send(email, language=(get_language() or "ru")[:2])
    except ValidationError as exc:
        return _again(request, project, exc, {"email": email})
    request.session[SESSION_CODE] = row.pk
    messages.info(request, _("We sent a six-digit code to your address. Type it below."))
    return _back(project)


@require_POST
def email_confirm(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(code)
    if over_limit(request, "projects.email_confirm", "30/h"):
        return _limited(request, project)
    values = {"display_name": request.POST.get("display_name", "")}
    try:
        commenter = comments.email_code_confirm(
            request.session.get(SESSION_CODE), request.POST.get("code", ""), values["display_name"]
        )
    except ValidationError as exc:
        return _again(request, project, exc, values)
    request.session.pop(SESSION_CODE, None)
    request.session[SESSION_COMMENTER] = commenter.pk
    messages.success(request, _("Your address is confirmed. You may comment and follow."))
    return _back(project)


@require_POST
def chat_code(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(code)
    if not chat_codes.chat_links():
        raise Http404("no chat channel is configured")
    if over_limit(request, "projects.chat_code", "10/h"):
        return _limited(request, project)
    row, text = chat_codes.chat_code_issue()
    request.session[SESSION_CHAT_CODE] = {"id": row.pk, "code": text}
    return _back(project)


@never_cache
@require_GET
def chat_code_status(request: HttpRequest, code: str) -> JsonResponse:
    """Whether the bot has received this browser's code: for the page to poll."""
    _project(code)
    pending = request.session.get(SESSION_CHAT_CODE) or {}
    return JsonResponse({"status": chat_codes.chat_code_status(pending.get("id"))})


@require_POST
def chat_confirm(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(code)
    if over_limit(request, "projects.chat_confirm", "30/h"):
        return _limited(request, project)
    values = {"display_name": request.POST.get("display_name", "")}
    pending = request.session.get(SESSION_CHAT_CODE) or {}
    try:
        commenter = chat_codes.chat_code_finish(pending.get("id"), values["display_name"])
    except ValidationError as exc:
        return _again(request, project, exc, values)
    request.session.pop(SESSION_CHAT_CODE, None)
    request.session[SESSION_COMMENTER] = commenter.pk
    messages.success(request, _("Your phone is confirmed. You may comment."))
    return _back(project)


@require_POST
def comment_new(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(code)
    commenter = session_commenter(request)
    if commenter is None:
        raise PermissionDenied(_("Confirm your e-mail address or phone first."))
    if over_limit(request, "projects.comment", "20/h"):
        return _limited(request, project)
    text = request.POST.get("text", "")
    try:
        comment = comments.comment_post(project, commenter, text)
    except ValidationError as exc:
        return _again(request, project, exc, {"text": text})
    if comment.status == Comment.Status.PENDING:
        messages.info(
            request, _("Thank you. Your first comment is shown once a moderator has read it.")
        )
    else:
        messages.success(request, _("Your comment is published."))
    return _back(project)


@require_POST
def follow(request: HttpRequest, code: str) -> HttpResponse:
    project = _project(code)
    commenter = session_commenter(request)
    if commenter is None:
        raise PermissionDenied(_("Confirm your e-mail address or phone first."))
    try:
        follows.follow_start(project, commenter)
    except ValidationError as exc:
        return _again(request, project, exc, {})
    if commenter.chat_channel:
        messages.success(
            request,
            _(
                "You follow this project. Notices come to your Telegram chat; reply "
                '"stop" to end them.'
            ),
        )
    else:
        messages.success(
            request, _("You follow this project. Each e-mail has a link to stop them.")
        )
    return _back(project)


@require_http_methods(["GET", "POST"])
def unfollow(request: HttpRequest, token: str) -> HttpResponse:
    found = follows.follow_of_token(token)
    if found is None:
        return render(request, "projects/unfollow.html", {"gone": True}, status=404)
    if request.method == "POST":
        follows.follow_stop(found)
        return render(request, "projects/unfollow.html", {"project": found.project, "done": True})
    return render(request, "projects/unfollow.html", {"project": found.project})


def _staff_comment(request: HttpRequest, code: str, comment_id: int) -> tuple[Project, Comment]:
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Only the project's managers and officers moderate comments."))
    project = _project(code)
    comment = get_object_or_404(Comment, pk=comment_id, project=project)
    return project, comment


@require_POST
def comment_moderate(request: HttpRequest, code: str, comment_id: int) -> HttpResponse:
    project, comment = _staff_comment(request, code, comment_id)
    action = request.POST.get("action")
    try:
        if action == "publish":
            comments.comment_publish(comment.pk, actor=request.user)
        elif action == "hide":
            comments.comment_hide(comment.pk, actor=request.user, reason=request.POST.get("reason"))
        else:
            raise ValidationError({"action": _("Choose publish or hide.")})
    except ValidationError as exc:
        return _again(request, project, exc, {"reason": request.POST.get("reason", "")})
    return _back(project)


@require_POST
def comment_reply(request: HttpRequest, code: str, comment_id: int) -> HttpResponse:
    project, comment = _staff_comment(request, code, comment_id)
    text = request.POST.get("text", "")
    try:
        comments.comment_reply_official(comment.pk, actor=request.user, text=text)
    except ValidationError as exc:
        return _again(request, project, exc, {"reply": text})
    return _back(project)
