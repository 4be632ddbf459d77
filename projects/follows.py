"""Following a project by e-mail (a confirmed commenter's address) or in Telegram (a commenter
confirmed through the Telegram bot): notices on milestone changes, progress and official replies,
each with a link that stops them; in Telegram, replying "stop" (стоп, тоқта) stops them too.
WhatsApp cannot carry them (outside its 24-hour window only approved case templates go out), so a
commenter confirmed there follows by e-mail or not at all.

For the rest of projects/ (milestones, progress):

    project_followers_notify(project, kind, text)

with `kind` one of NOTICE_KINDS ("milestone", "progress", "reply") and `text` the one-paragraph
news (or a dict of it by language code, each follower getting theirs), called inside the
service's transaction: one outbox job per follower is written with the change and the e-mails
and chat messages go after commit (on the `notify` queue; retried when the platform is down).
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
from django.utils.translation import gettext_lazy, ngettext

from casework import outbox
from intake.channels.base import Incoming
from intake.claims import Claim, claimer
from intake.models import Conversation
from intake.senders import conversation_send
from projects.models import Commenter, Follow, Milestone, ProgressObservation, Project

log = logging.getLogger(__name__)

NOTICE_JOB = "project_follow_notice"
UNFOLLOW_SALT = "projects.follow.stop"
FOLLOW_CHAT_CHANNELS = ("telegram",)
STOP_WORDS = {"stop", "стоп", "тоқта", "токта"}
NOTICE_KINDS = {
    "milestone": gettext_lazy("A milestone changed"),
    "progress": gettext_lazy("New progress on the works"),
    "reply": gettext_lazy("An official replied to a comment"),
}


def may_follow(commenter: Commenter) -> bool:
    """Whether notices can reach the commenter: an e-mail address or a Telegram chat."""
    return bool(commenter.email_index) or commenter.chat_channel in FOLLOW_CHAT_CHANNELS


def follow_start(project: Project, commenter: Commenter) -> Follow:
    """Follow `project`; following it again changes nothing."""
    if not may_follow(commenter):
        raise ValidationError(
            _("Notices go by e-mail or Telegram. Confirm an e-mail address to follow projects.")
        )
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


def project_followers_notify(project: Project, kind: str, text: str | dict[str, str]) -> int:
    """Queue a notice to each follower of `project`; returns how many were queued. `text` is
    the news, or a dict of it by language code."""
    if kind not in NOTICE_KINDS:
        raise ValidationError({"kind": f"unknown notice kind {kind!r}"})
    texts = text if isinstance(text, dict) else {"": text}
    texts = {language: (value or "").strip()[:2000] for language, value in texts.items()}
    count = 0
    for follow_id in Follow.objects.filter(project=project).values_list("pk", flat=True):
        outbox.enqueue(NOTICE_JOB, {"follow": follow_id, "kind": kind, "text": texts})
        count += 1
    return count


def _text_in(payload: dict, language: str) -> str:
    texts = payload["text"]
    if isinstance(texts, str):  # a job queued before texts came by language
        return texts
    for key in (language, settings.LANGUAGE_CODE, ""):
        if texts.get(key):
            return texts[key]
    return next(iter(texts.values()), "")


@outbox.handler(NOTICE_JOB, queue=outbox.QUEUE_NOTIFY)
def follow_notice_send(payload: dict) -> None:
    follow = (
        Follow.objects.select_related("project", "commenter").filter(pk=payload["follow"]).first()
    )
    if follow is None:  # unfollowed meanwhile
        return
    if follow.commenter.chat_channel:
        _chat_notice(follow, payload)
        return
    project = follow.project
    site = settings.SITE_URL
    with translation.override(settings.LANGUAGE_CODE):
        page = site + reverse("projects:visit", args=[project.code])
        stop = site + reverse("projects:unfollow", args=[unfollow_token(follow)])
        subject = f"{project.title}: {NOTICE_KINDS.get(payload['kind'], '')}"
        body = "\n\n".join(
            [
                _text_in(payload, settings.LANGUAGE_CODE),
                _("The project: %(url)s") % {"url": page},
                _("To stop these e-mails: %(url)s") % {"url": stop},
            ]
        )
    send_mail(subject[:200], body, settings.DEFAULT_FROM_EMAIL, [follow.commenter.email])


def _chat_notice(follow: Follow, payload: dict) -> None:
    commenter = follow.commenter
    conversation = Conversation.objects.filter(
        channel=commenter.chat_channel, sender_key=commenter.chat_sender_key
    ).first()
    if conversation is None:
        log.info("follow %s: the commenter's conversation is gone", follow.pk)
        return
    project = follow.project
    site = settings.SITE_URL
    with translation.override(conversation.language or settings.LANGUAGE_CODE):
        text = "\n\n".join(
            [
                f"{project.title}: {NOTICE_KINDS.get(payload['kind'], '')}",
                _text_in(payload, conversation.language),
                _("The project: %(url)s")
                % {"url": site + reverse("projects:visit", args=[project.code])},
                _('To stop these notices, reply "stop" or open: %(url)s')
                % {"url": site + reverse("projects:unfollow", args=[unfollow_token(follow)])},
            ]
        )
    if not conversation_send(conversation, text):
        log.info("follow %s: the %s channel cannot take it now", follow.pk, conversation.channel)


@claimer("projects-follow-stop")
def stop_claim(conversation: Conversation, incoming: Incoming) -> Claim | None:
    """ "stop" from a follower's chat ends all its project notices."""
    word = incoming.command or incoming.text.strip().strip(".!").lower()
    if word not in STOP_WORDS:
        return None
    follows = Follow.objects.filter(
        commenter__chat_channel=conversation.channel,
        commenter__chat_sender_key=conversation.sender_key,
    )
    if not follows.exists():
        return None
    follows.delete()
    with translation.override(conversation.language or settings.LANGUAGE_CODE):
        reply = _("You will get no more notices about projects.")
    return Claim("projects-unfollowed", reply)


# The news followers get, in each language.


def _in_each_language(build) -> dict[str, str]:
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = build()
    return texts


def milestone_news(milestone: Milestone, *, new: bool) -> dict[str, str]:
    def build() -> str:
        values = {
            "name": milestone.name,
            "status": milestone.get_status_display(),
            "end": (milestone.actual_end or milestone.planned_end).strftime("%d.%m.%Y"),
        }
        if new:
            text = _("New stage «%(name)s», planned to end on %(end)s.") % values
        elif milestone.actual_end:
            text = _("Stage «%(name)s»: %(status)s, finished on %(end)s.") % values
        else:
            text = _("Stage «%(name)s»: %(status)s, planned to end on %(end)s.") % values
        late = milestone.days_late()
        if late:
            text += " " + ngettext("%(days)s day late.", "%(days)s days late.", late) % {
                "days": late
            }
        return text

    return _in_each_language(build)


def progress_news(observation: ProgressObservation) -> dict[str, str]:
    return _in_each_language(
        lambda: (
            _("Works done: %(percent)s %% on %(date)s.")
            % {
                "percent": observation.physical_percent.normalize(),
                "date": observation.observed_on.strftime("%d.%m.%Y"),
            }
        )
    )
