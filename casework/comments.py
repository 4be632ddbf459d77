"""Staff comments on a case, with @mentions.

A comment is an event of the case's audit chain (`comment`, its text as the reason): it is never
edited or deleted, and it is for staff only, never on the citizen's pages or a contractor's.
Writing `@username` mentions a colleague: the mention is refused, with nothing written, when no
active staff member has that username or when they may not see the case (so the author is never
led to believe someone was told who was not). Those mentioned are told after commit, through the
`case.comment` topic (the staff application writes their notice and e-mail).
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casework import outbox, roles, scopes
from casework.models import Case, CaseEvent
from casework.services import case_lock, case_note
from casework.staff_notices import may_be_told

COMMENT_TOPIC = "case.comment"
COMMENT_MAX_CHARS = 2000
MENTIONS_MAX = 10
# `@name` at the start or after a space or punctuation; an e-mail address is not a mention.
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*\w)", re.UNICODE)


def comment_mentions(text: str) -> list[str]:
    """The usernames mentioned in `text`, each once, in order."""
    seen: dict[str, None] = {}
    for name in MENTION.findall(text):
        seen.setdefault(name, None)
    return list(seen)


def commenting_role(user, case: Case) -> str | None:
    """The staff role under which `user` may comment on `case` (contractors never do)."""
    if user is None or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    for role in roles.ROLES:
        if (
            role != roles.CONTRACTOR
            and role in roles.user_roles(user)
            and scopes.role_covers(role, user, case)
        ):
            return role
    return None


def _comment_text(text: str | None) -> str:
    clean = (text or "").strip()
    if not clean:
        raise ValidationError({"text": _("Write the comment.")})
    if len(clean) > COMMENT_MAX_CHARS:
        raise ValidationError(
            {
                "text": _("A comment has at most %(max)d characters; this one has %(n)d.")
                % {"max": COMMENT_MAX_CHARS, "n": len(clean)}
            }
        )
    return clean


def _mentioned_users(names: list[str], case: Case, author) -> list:
    if len(names) > MENTIONS_MAX:
        raise ValidationError(
            {"text": _("Mention at most %(max)d people in one comment.") % {"max": MENTIONS_MAX}}
        )
    users = {
        user.username.lower(): user
        for user in get_user_model().objects.filter(
            username__in=names + [name.lower() for name in names], is_active=True
        )
    }
    found, unknown, unseeing = [], [], []
    for name in names:
        user = users.get(name.lower())
        if user is None:
            unknown.append(name)
        elif commenting_role(user, case) is None or not may_be_told(user, case):
            unseeing.append(name)
        elif user.pk != author.pk:
            found.append(user)
    problems = []
    if unknown:
        problems.append(
            _("Nobody on the staff has the username %(names)s.")
            % {"names": ", ".join(f"@{n}" for n in unknown)}
        )
    if unseeing:
        problems.append(
            _("%(names)s may not see this case, so they cannot be mentioned.")
            % {"names": ", ".join(f"@{n}" for n in unseeing)}
        )
    if problems:
        raise ValidationError({"text": " ".join(problems)})
    return found


def case_comment(case: Case | int, *, actor, text: str | None) -> CaseEvent:
    """Add a staff comment to `case`; `PermissionDenied` when the actor may not comment,
    `ValidationError` (keyed by `text`) for an empty, long or wrongly mentioning comment."""
    clean = _comment_text(text)
    with transaction.atomic():
        locked = case_lock(case)
        role = commenting_role(actor, locked)
        if role is None:
            raise PermissionDenied(_("You may not comment on this case."))
        mentioned = _mentioned_users(comment_mentions(clean), locked, actor)
        event = case_note(
            locked,
            actor=actor,
            role=role,
            action="comment",
            reason=clean,
            payload={"mentions": [user.pk for user in mentioned]},
        )
        if mentioned:
            outbox.publish(COMMENT_TOPIC, {"case": locked.pk, "event": event.pk}, key=str(event.pk))
    return event
