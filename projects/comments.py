"""Comments on projects: confirming an e-mail address with a one-time code, writing, moderating,
official replies. Services (the writers) and the selectors the public page reads.

A citizen asks for a code (`email_code_send`), types it back (`email_code_confirm`) and becomes a
`Commenter`, shown by display name only. A commenter's first comment waits for a moderator
(`comment_publish` / `comment_hide`); once one of theirs has been published, later ones are
published at once. Moderators are the managers of the project's region and the officers of its
department. An official reply names the post its writer held that day (oversight occupancy).

The staff queue (projects.views.moderation) lists the comments a moderator may act on; its forms
send back what they saw (`comment_seen`), and a service given that acts only if nobody else has
moderated or replied meanwhile (`CommentChanged`, checked under the row lock).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import roles
from casework.crypto import blind_index, index_key
from oversight.selectors import post_held
from projects.models import Comment, Commenter, EmailCode, Project
from projects.models.comments import COMMENT_MAX_CHARS, DISPLAY_NAME_MAX_CHARS

log = logging.getLogger(__name__)

CODE_TTL_MINUTES = 15
CODE_MAX_ATTEMPTS = 5
# Codes one address may be sent in an hour, whoever asks (the per-client limit is the view's).
CODES_PER_ADDRESS_HOUR = 5


def _digest(email_index: str, code: str) -> str:
    return hmac.new(index_key(), f"{email_index}:{code}".encode(), "sha256").hexdigest()


def email_normalise(email: str) -> str:
    return (email or "").strip().lower()


def email_code_send(email: str, *, language: str = "ru") -> EmailCode:
    """Send a six-digit code to `email` (after commit); ValidationError for a bad address."""
    from django.core.validators import validate_email

    email = email_normalise(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    code = f"{secrets.randbelow(1_000_000):06d}"
    index = blind_index(email)
    recent = EmailCode.objects.filter(
        email_index=index, created_at__gte=timezone.now() - timezone.timedelta(hours=1)
    )
    if recent.count() >= CODES_PER_ADDRESS_HOUR:
        raise ValidationError(
            {"email": _("Too many codes were sent to this address. Try again in an hour.")}
        )
    with transaction.atomic():
        row = EmailCode.objects.create(
            email=email,
            email_index=index,
            code_digest=_digest(index, code),
            expires_at=timezone.now() + timezone.timedelta(minutes=CODE_TTL_MINUTES),
        )
        transaction.on_commit(lambda: _code_mail(email, code))
    return row


def _code_mail(email: str, code: str) -> None:
    try:
        send_mail(
            _("Your Baqylau confirmation code: %(code)s") % {"code": code},
            _(
                "Type this code on the project page to confirm your address: %(code)s\n"
                "It is valid for %(minutes)s minutes. If you did not ask for it, ignore this "
                "letter."
            )
            % {"code": code, "minutes": CODE_TTL_MINUTES},
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    except Exception:
        log.warning("the confirmation code e-mail could not be sent", exc_info=True)


def display_name_problem(display_name: str) -> str:
    """Why `display_name` (spaces folded) cannot be shown, or ""."""
    if not display_name:
        return _("Choose the name to show under your comments.")
    if len(display_name) > DISPLAY_NAME_MAX_CHARS:
        return _("At most %(n)s characters.") % {"n": DISPLAY_NAME_MAX_CHARS}
    if "@" in display_name:
        return _("Do not show your e-mail address as your name.")
    if sum(char.isdigit() for char in display_name) >= 7:
        return _("Do not show your phone number as your name.")
    return ""


def display_name_checked(display_name: str) -> str:
    """The name to show, spaces folded; ValidationError on "display_name" when it cannot be."""
    display_name = " ".join((display_name or "").split())
    if problem := display_name_problem(display_name):
        raise ValidationError({"display_name": problem})
    return display_name


def email_code_confirm(code_id: int | None, code: str, display_name: str) -> Commenter:
    """Check the code sent as `code_id`; the commenter of that address (made or renamed)."""
    code = (code or "").strip()
    display_name = " ".join((display_name or "").split())
    errors = {}
    if not (len(code) == 6 and code.isdigit()):
        errors["code"] = _("Enter the six digits from the e-mail.")
    if problem := display_name_problem(display_name):
        errors["display_name"] = problem
    if errors:
        raise ValidationError(errors)
    commenter = None
    with transaction.atomic():
        row = (
            EmailCode.objects.select_for_update()
            .filter(pk=code_id, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if row is None or row.attempts >= CODE_MAX_ATTEMPTS:
            raise ValidationError({"code": _("This code has expired. Ask for a new one.")})
        if hmac.compare_digest(row.code_digest, _digest(row.email_index, code)):
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            commenter = _commenter_of(row, display_name)
        else:
            # Counted, and kept: five wrong guesses and the code is spent.
            EmailCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    if commenter is None:
        raise ValidationError({"code": _("This code is not right.")})
    return commenter


def _commenter_of(row: EmailCode, display_name: str) -> Commenter:
    commenter = Commenter.objects.select_for_update().filter(email_index=row.email_index).first()
    if commenter is None:
        return Commenter.objects.create(
            email=row.email,
            email_index=row.email_index,
            display_name=display_name,
            confirmed_at=row.used_at,
        )
    if commenter.display_name != display_name:
        commenter.display_name = display_name
        commenter.save(update_fields=["display_name"])
    return commenter


def _text_checked(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your comment.")})
    if len(text) > COMMENT_MAX_CHARS:
        raise ValidationError({"text": _("At most %(n)s characters.") % {"n": COMMENT_MAX_CHARS}})
    return text


def comment_post(project: Project, commenter: Commenter, text: str) -> Comment:
    """A citizen's comment: published at once when one of theirs was published before,
    otherwise it waits for a moderator."""
    text = _text_checked(text)
    with transaction.atomic():
        Commenter.objects.select_for_update().get(pk=commenter.pk)
        trusted = Comment.objects.filter(
            commenter=commenter, status=Comment.Status.PUBLISHED
        ).exists()
        return Comment.objects.create(
            project=project,
            commenter=commenter,
            display_name=commenter.display_name,
            text=text,
            status=Comment.Status.PUBLISHED if trusted else Comment.Status.PENDING,
        )


def may_moderate(user, project: Project) -> bool:
    held = roles.user_roles(user)
    if not held & {roles.MANAGER, roles.OFFICER}:
        return False
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return False
    if roles.MANAGER in held and profile.region_id == project.region_id:
        return True
    return (
        roles.OFFICER in held
        and bool(project.department_id)
        and (profile.department_id == project.department_id)
    )


class CommentChanged(Exception):
    """Another moderator acted on the comment after this one's form was shown (HTTP 409);
    nothing was written."""


def comment_seen(comment: Comment, replies: int) -> str:
    """What a moderator's form saw of `comment`: its status, when it was last moderated and how
    many replies it had. A form that sends this back acts only if it still holds."""
    moderated = comment.moderated_at.astimezone(dt.UTC).isoformat() if comment.moderated_at else ""
    return f"{comment.status}|{moderated}|{replies}"


def _changed_message(comment: Comment, seen: str) -> str:
    seen_status, _moderated_at, seen_replies = (seen.split("|") + ["", "", ""])[:3]
    moderator = comment.moderated_by
    name = (moderator.get_full_name() or moderator.get_username()) if moderator else "—"
    if seen_status != comment.status and comment.status == Comment.Status.PUBLISHED:
        what = _("%(name)s has already published this comment.") % {"name": name}
    elif seen_status != comment.status and comment.status == Comment.Status.HIDDEN:
        what = _("%(name)s has already hidden this comment.") % {"name": name}
    elif seen_replies != str(comment.replies.count()):
        what = _("Another official has replied to this comment meanwhile.")
    else:
        what = _("%(name)s has moderated this comment meanwhile.") % {"name": name}
    return f"{what} {_('Nothing was changed: look at the comment again before you act.')}"


def _moderated(
    comment_id: int, user, project: Project | None = None, *, seen: str | None = None
) -> Comment:
    """The comment, locked, once `user` may moderate it and (given `seen`) nobody has acted on it
    since the form was shown."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("project", "moderated_by")
        .get(pk=comment_id)
    )
    if project is not None and comment.project_id != project.pk:
        raise Comment.DoesNotExist
    if not may_moderate(user, comment.project):
        raise PermissionDenied(_("Only the project's managers and officers moderate comments."))
    # Replies are written under this same lock, so their count cannot move while it is held.
    if seen is not None and seen != comment_seen(comment, comment.replies.count()):
        raise CommentChanged(_changed_message(comment, seen))
    return comment


def comment_publish(comment_id: int, *, actor, seen: str | None = None) -> Comment:
    with transaction.atomic():
        comment = _moderated(comment_id, actor, seen=seen)
        comment.status = Comment.Status.PUBLISHED
        comment.hidden_reason = ""
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
        comment._change_reason = "published"
        comment.save()
    return comment


def comment_hide(comment_id: int, *, actor, reason: str, seen: str | None = None) -> Comment:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the comment is hidden.")})
    with transaction.atomic():
        comment = _moderated(comment_id, actor, seen=seen)
        comment.status = Comment.Status.HIDDEN
        comment.hidden_reason = reason[:1000]
        comment.moderated_by = actor
        comment.moderated_at = timezone.now()
        comment._change_reason = "hidden"
        comment.save()
    return comment


def comment_reply_official(
    comment_id: int, *, actor, text: str, seen: str | None = None
) -> Comment:
    """An official's published reply, marked with the post the official holds today; the
    project's followers are told."""
    from projects.follows import project_followers_notify

    text = _text_checked(text)
    with transaction.atomic():
        parent = _moderated(comment_id, actor, seen=seen)
        occupancy = post_held(actor, timezone.now(), role=roles.primary_role(actor))
        reply = Comment.objects.create(
            project=parent.project,
            official=actor,
            official_occupancy=occupancy,
            reply_to=parent,
            display_name=actor.get_full_name() or actor.get_username(),
            text=text,
            status=Comment.Status.PUBLISHED,
            moderated_by=actor,
            moderated_at=timezone.now(),
        )
        project_followers_notify(parent.project, "reply", text)
    return reply


# Reading.


def comments_public(project: Project) -> QuerySet[Comment]:
    """What everyone sees: the published comments and replies, oldest first."""
    return (
        Comment.objects.filter(project=project, status=Comment.Status.PUBLISHED)
        .select_related("official_occupancy__position")
        .order_by("created_at", "id")
    )


def comments_for_page(project: Project, *, commenter_id: int | None, moderator: bool):
    """The published comments, plus the viewer's own waiting ones, plus (for a moderator) every
    waiting and hidden one."""
    shown = Q(status=Comment.Status.PUBLISHED)
    if commenter_id:
        shown |= Q(commenter_id=commenter_id, status=Comment.Status.PENDING)
    if moderator:
        shown |= Q(status__in=[Comment.Status.PENDING, Comment.Status.HIDDEN])
    return (
        Comment.objects.filter(shown, project=project)
        .select_related("official_occupancy__position")
        .order_by("created_at", "id")
    )


# The staff moderation queue.

WAITING_COUNT_CAP = 100


def moderated_projects_q(user, prefix: str = "") -> Q:
    """The projects `user` moderates, as a filter (the rule of `may_moderate`); `prefix` leads
    from the filtered model to the project, e.g. "project__"."""
    held = roles.user_roles(user)
    profile = getattr(user, "staff_profile", None) if held else None
    q = Q(pk__in=[])
    if profile is None:
        return q
    if roles.MANAGER in held and profile.region_id:
        q |= Q(**{f"{prefix}region_id": profile.region_id})
    if roles.OFFICER in held and profile.department_id:
        q |= Q(**{f"{prefix}department_id": profile.department_id})
    return q


def comments_to_moderate(user) -> QuerySet[Comment]:
    """The citizens' comments (not the official replies) in the projects `user` moderates."""
    return Comment.objects.filter(moderated_projects_q(user, "project__"), commenter__isnull=False)


def moderation_queue(user, status: str) -> QuerySet[Comment]:
    """The comments of one status for the queue: the waiting ones oldest first, the others the
    latest moderated first; each with its project, its moderator, its official replies and the
    count `comment_seen` needs."""
    replies = Comment.objects.select_related("official_occupancy__position").order_by(
        "created_at", "id"
    )
    rows = (
        comments_to_moderate(user)
        .filter(status=status)
        .select_related("project", "moderated_by")
        .annotate(reply_count=Count("replies"))
        .prefetch_related(Prefetch("replies", queryset=replies))
    )
    if status == Comment.Status.PENDING:
        return rows.order_by("created_at", "id")
    return rows.order_by(F("moderated_at").desc(nulls_last=True), "-id")


def comments_waiting_count(user) -> int:
    """How many comments wait for `user` to moderate, counted up to WAITING_COUNT_CAP."""
    if not roles.user_roles(user) & {roles.MANAGER, roles.OFFICER}:
        return 0
    waiting = comments_to_moderate(user).filter(status=Comment.Status.PENDING)
    return waiting.values("pk")[:WAITING_COUNT_CAP].count()
