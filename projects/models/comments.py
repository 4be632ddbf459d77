"""Citizens' comments on projects, the confirmed e-mail addresses and chat conversations they
write from, the one-time codes that confirm them, and the follows (notices about a project)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.crypto import EncryptedTextField

COMMENT_MAX_CHARS = 2000
DISPLAY_NAME_MAX_CHARS = 60


class Commenter(models.Model):
    """A confirmed e-mail address, or a WhatsApp or Telegram conversation that sent a one-time
    code. Shown only by its display name; the address is encrypted and found by its blind index,
    and a conversation is known only by intake's blind index of its sender (never a number)."""

    email = EncryptedTextField(_("e-mail"), blank=True)
    email_index = models.CharField(max_length=64, blank=True, editable=False)
    chat_channel = models.CharField(_("chat channel"), max_length=16, blank=True)
    chat_sender_key = models.CharField(max_length=255, blank=True, editable=False)
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_CHARS)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    history = HistoricalRecords(excluded_fields=["email"])

    class Meta:
        verbose_name = _("commenter")
        verbose_name_plural = _("commenters")
        constraints = [
            models.UniqueConstraint(
                fields=["email_index"],
                condition=~models.Q(email_index=""),
                name="one_commenter_an_address",
            ),
            models.UniqueConstraint(
                fields=["chat_channel", "chat_sender_key"],
                condition=~models.Q(chat_sender_key=""),
                name="one_commenter_a_conversation",
            ),
            models.CheckConstraint(
                condition=~models.Q(email_index="") | ~models.Q(chat_sender_key=""),
                name="commenter_has_an_address",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class EmailCode(models.Model):
    """A six-digit code sent to an address; only its keyed digest is kept."""

    email = EncryptedTextField()
    email_index = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail code")
        verbose_name_plural = _("e-mail codes")

    def __str__(self) -> str:
        return f"code {self.pk} until {self.expires_at:%Y-%m-%d %H:%M}"


class ChatCode(models.Model):
    """A code shown on a project page for the citizen to send to the WhatsApp or Telegram bot;
    only its keyed digest is kept. Claimed: the conversation it came from (channel and sender's
    blind index); used: the browser that asked for it made its commenter."""

    code_digest = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    sender_key = models.CharField(max_length=255, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("chat code")
        verbose_name_plural = _("chat codes")

    def __str__(self) -> str:
        return f"chat code {self.pk} until {self.expires_at:%Y-%m-%d %H:%M}"


class ChatCodeMiss(models.Model):
    """A code-shaped chat message that matched no waiting code: counted per conversation, so
    that nobody can try codes until one fits."""

    channel = models.CharField(max_length=16)
    sender_key = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["channel", "sender_key", "created_at"], name="chat_code_miss_sender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} miss at {self.created_at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden")

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("project"),
    )
    commenter = models.ForeignKey(
        Commenter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("commenter"),
    )
    # An official reply: written by a staff user, marked with the post they held then.
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("official"),
    )
    official_occupancy = models.ForeignKey(
        "oversight.Occupancy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("official's post"),
    )
    reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX_CHARS)
    text = models.TextField(_("comment"), max_length=COMMENT_MAX_CHARS)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["project", "status", "created_at"], name="comment_project_status")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commenter__isnull=False) | models.Q(official__isnull=False),
                name="comment_has_an_author",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name}: {self.text[:40]}"


class Follow(models.Model):
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("project"),
    )
    commenter = models.ForeignKey(
        Commenter, on_delete=models.CASCADE, related_name="follows", verbose_name=_("follower")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["project", "commenter"], name="one_follow_a_project")
        ]

    def __str__(self) -> str:
        return f"{self.commenter_id} → {self.project_id}"
