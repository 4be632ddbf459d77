"""Following a project by e-mail (a confirmed commenter's address): notices on milestone
changes, progress and official replies, each with a link that stops them.

For the rest of projects/ (milestones, progress):

    project_followers_notify(project, kind, text)

with `kind` one of NOTICE_KINDS ("milestone", "progress", "reply") and `text` the one-paragraph
news, called inside the service's transaction: one outbox job per follower is written with the
change and the e-mails go after commit (on the `notify` queue; retried when the mail server is
down).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import outbox
from projects.models import Commenter, Follow, Project

log = logging.getLogger(__name__)

NOTICE_JOB = "project_follow_notice"
UNFOLLOW_SALT = "projects.follow.stop"
NOTICE_KINDS = {
    "milestone": gettext_lazy("A milestone changed"),
    "progress": gettext_lazy("New progress on the works"),
    "reply": gettext_lazy("An official replied to a comment"),
}


def follow_start(project: Project, commenter: Commenter) -> Follow:
    """Follow `project`; following it again changes nothing."""
    with transaction.atomic():
        existing = Follow.objects.filter(project=project, commenter=commenter).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return Follow.objects.create(project=project, commenter=commenter)
        except IntegrityError:  # the same follow, made by a concurrent request
            return Follow.objects.get(project=project, commenter=commenter)


def unfollow_token(follow: Follow) -> str:
    return signing.dumps({"f": follow.pk}, salt=UNFOLLOW_SALT, compress=True)


def follow_of_token(token: str) -> Follow | None:
    try:
        data = signing.loads(token, salt=UNFOLLOW_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return Follow.objects.select_related("project").filter(pk=data.get("f")).first()


def follow_stop(follow: Follow) -> None:
    with transaction.atomic():
        Follow.objects.filter(pk=follow.pk).delete()


def project_followers_notify(project: Project, kind: str, text: str) -> int:
    """Queue an e-mail to each follower of `project`; returns how many were queued."""
    if kind not in NOTICE_KINDS:
        raise ValidationError({"kind": f"unknown notice kind {kind!r}"})
    text = (text or "").strip()[:2000]
    count = 0
    for follow_id in Follow.objects.filter(project=project).values_list("pk", flat=True):
        outbox.enqueue(NOTICE_JOB, {"follow": follow_id, "kind": kind, "text": text})
        count += 1
    return count


@outbox.handler(NOTICE_JOB, queue=outbox.QUEUE_NOTIFY)
def follow_notice_send(payload: dict) -> None:
    follow = (
        Follow.objects.select_related("project", "commenter").filter(pk=payload["follow"]).first()
    )
    if follow is None:  # unfollowed meanwhile
        return
    project = follow.project
    site = settings.SITE_URL
    with translation.override(settings.LANGUAGE_CODE):
        page = site + reverse("projects:visit", args=[project.code])
        stop = site + reverse("projects:unfollow", args=[unfollow_token(follow)])
        subject = f"{project.title}: {NOTICE_KINDS.get(payload['kind'], '')}"
        body = "\n\n".join(
            [
                payload["text"],
                _("The project: %(url)s") % {"url": page},
                _("To stop these e-mails: %(url)s") % {"url": stop},
            ]
        )
    send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL, [follow.commenter.email])
