"""Template tags that give templates/projects/_camera.html and _comments.html what they show,
from `project` alone, so any page can include them:

    {% include "projects/_camera.html" with project=project %}
    {% include "projects/_comments.html" with project=project %}
"""

from __future__ import annotations

from django import template

from projects import cameras, chat_codes, comments, follows
from projects.views_public_extras import SESSION_CHAT_CODE, SESSION_CODE, session_commenter

register = template.Library()


@register.simple_tag
def project_cameras(project) -> list[cameras.CameraView]:
    return cameras.cameras_of(project)


@register.simple_tag(takes_context=True)
def project_comments(context, project) -> dict:
    request = context.get("request")
    commenter = session_commenter(request) if request is not None else None
    user = getattr(request, "user", None)
    moderator = bool(user and comments.may_moderate(user, project))
    follows_it = bool(commenter and commenter.follows.filter(project=project).exists())
    chat_code = (request.session.get(SESSION_CHAT_CODE) if request is not None else None) or {}
    if chat_code and chat_codes.chat_code_status(chat_code.get("id")) == "expired":
        chat_code = {}
    return {
        "items": list(
            comments.comments_for_page(
                project, commenter_id=commenter.pk if commenter else None, moderator=moderator
            )
        ),
        "commenter": commenter,
        "code_sent": bool(request is not None and request.session.get(SESSION_CODE)),
        # Confirming through the WhatsApp or Telegram bot: the channels to offer, and the code
        # this browser is waiting on with the links that send it.
        "chat_offered": bool(chat_codes.chat_links()),
        "chat_code": chat_code.get("code", ""),
        "chat_links": chat_codes.chat_links(chat_code["code"]) if chat_code else [],
        "chat_minutes": comments.CODE_TTL_MINUTES,
        "may_follow": bool(commenter and follows.may_follow(commenter)),
        "moderator": moderator,
        "follows": follows_it,
        "errors": context.get("comment_errors") or {},
        "values": context.get("comment_values") or {},
    }
