"""Template tags that give templates/projects/_camera.html and _comments.html what they show,
from `project` alone, so any page can include them:

    {% include "projects/_camera.html" with project=project %}
    {% include "projects/_comments.html" with project=project %}
"""

from __future__ import annotations

from django import template

from projects import cameras, comments
from projects.views_public_extras import SESSION_CODE, session_commenter

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
    return {
        "items": list(
            comments.comments_for_page(
                project, commenter_id=commenter.pk if commenter else None, moderator=moderator
            )
        ),
        "commenter": commenter,
        "code_sent": bool(request is not None and request.session.get(SESSION_CODE)),
        "moderator": moderator,
        "follows": follows_it,
        "errors": context.get("comment_errors") or {},
        "values": context.get("comment_values") or {},
    }
