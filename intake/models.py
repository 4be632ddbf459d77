"""What arrives through the chat channels, the drafts messages build, and Open311 clients.

An `InboundMessage` is written raw before the platform gets its 200; everything else is derived
from it after commit. Contact data learnt from a chat (name, phone) is encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.crypto import EncryptedJSONField, EncryptedTextField
from casework.models import Case, Category, District

CHAT_CHANNELS = [
    ("whatsapp", _("WhatsApp")),
    ("telegram", _("Telegram")),
    ("facebook", _("Facebook Messenger")),
]


class InboundMessage(models.Model):
    """One message (or one platform event) exactly as a channel delivered it."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        STATUS = "status", _("Delivery status")
        EVENT = "event", _("Other platform event")
        MALFORMED = "malformed", _("Malformed payload")

    channel = models.CharField(_("channel"), max_length=16, choices=CHAT_CHANNELS)
    external_id = models.CharField(_("external id"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # The sender's blind index (casework.crypto.sender_index), never their phone number or id.
    sender_key = models.CharField(_("sender"), max_length=255, blank=True)
    # Position of this message inside a body that carried several (WhatsApp and Messenger batch).
    position = models.PositiveSmallIntegerField(default=0)
    # Emptied, with the headers, RAW_MESSAGE_RETENTION_DAYS after it arrived (body_purged_at).
    raw_body = models.BinaryField(_("raw body"))
    headers = models.JSONField(_("headers"), default=dict)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    body_purged_at = models.DateTimeField(_("raw body purged"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Indexed only where set (see Meta): a message is stored without one, under load.
    draft = models.ForeignKey(
        "Draft",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        db_index=False,
    )

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="one_inbound_message_per_external_id"
            )
        ]
        indexes = [
            # Ascending: new messages go to the right edge, where PostgreSQL appends without a
            # descent and splits pages 90/10 (a descending one grew at the left, half empty).
            # Newest-first lists read it backwards.
            models.Index(fields=["received_at"], name="inbound_recent"),
            models.Index(
                fields=["received_at"],
                name="inbound_unprocessed",
                condition=models.Q(processed_at__isnull=True),
            ),
            models.Index(
                fields=["draft"],
                name="inbound_by_draft",
                condition=models.Q(draft__isnull=False),
            ),
            # What the nightly purge still has to empty, oldest first.
            models.Index(
                fields=["received_at"],
                name="inbound_body_kept",
                condition=models.Q(body_purged_at__isnull=True),
            ),
        ]
        permissions = [("reveal_sender", "Can reveal a chat sender and the raw message")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"

    def body_text(self) -> str:
        return bytes(self.raw_body).decode("utf-8", errors="replace")


class Conversation(models.Model):
    """One citizen on one chat channel: how to answer them, and the lock for their drafts."""

    channel = models.CharField(_("channel"), max_length=16, choices=CHAT_CHANNELS)
    # The sender's blind index (casework.crypto.sender_index): found again, never readable.
    sender_key = models.CharField(_("sender"), max_length=255)
    # Platform addressing, encrypted: {"to": "7701...", "recipient": "KZ.123..."}, {"chat_id": 42}.
    address = EncryptedJSONField(default=dict, blank=True)
    name = EncryptedTextField(_("name"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="ru")
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(fields=["channel", "sender_key"], name="one_conversation")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"


class Draft(models.Model):
    """A complaint being assembled from one sender's messages (30 minutes between messages)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Case opened")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="drafts")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    text = models.TextField(blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(max_length=500, blank=True)
    # Where the complaint was placed, once it was: whose clerks look after it (intake errors).
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)
    # What the last reply asked for, so that the next text answers it: "place" or "category".
    awaiting = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=8, default="ru")
    opened_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="intake_draft"
    )

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        indexes = [models.Index(fields=["conversation", "status", "-last_message_at"])]

    def __str__(self) -> str:
        return f"draft {self.pk} ({self.status})"


class DraftPhoto(models.Model):
    """A photo downloaded from the platform, kept in the database until the case takes it."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="photos")
    content = models.BinaryField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "sha256"], name="one_copy_per_draft")
        ]

    def __str__(self) -> str:
        return f"photo {self.sha256[:12]}"


class DistrictArea(models.Model):
    """Where a district is, for placing a complaint that came with a map point."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="area")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_km = models.PositiveIntegerField(_("radius, km"), default=30)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district area")
        verbose_name_plural = _("district areas")

    def __str__(self) -> str:
        return f"{self.district} ({self.latitude}, {self.longitude}, {self.radius_km} km)"


class StaffChat(models.Model):
    """A staff member's chat with our Telegram bot, recorded by an administrator, so that notices
    meant for them (a contractor's new work order) reach them there as well as by e-mail."""

    class Channel(models.TextChoices):
        TELEGRAM = "telegram", "Telegram"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_chats",
        verbose_name=_("user"),
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.TELEGRAM
    )
    chat_id = models.BigIntegerField(
        _("chat id"),
        help_text=_("The number the bot sees as the chat id when this person writes to it."),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member's chat")
        verbose_name_plural = _("staff members' chats")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="one_staff_chat_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_channel_display()}"


class Open311Client(models.Model):
    """An Open311 client allowed to file requests. Only a hash of its key is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["key_hash"])

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class Open311Submission(models.Model):
    """A request filed through Open311: its token, for `tokens/{token}`."""

    token = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.token


class SenderReveal(models.Model):
    """Who read a chat sender's contact data or a raw message in the admin, and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    message = models.ForeignKey(
        InboundMessage, on_delete=models.PROTECT, related_name="+", verbose_name=_("message")
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("sender reveal")
        verbose_name_plural = _("sender reveals")

    def __str__(self) -> str:
        return f"{self.actor} · {self.message} · {self.at:%Y-%m-%d %H:%M}"


class FilingSource(models.Model):
    """Where a web-form or Open311 complaint was filed from: a keyed digest of the client's
    address (`intake.sources.address_key`), never the address itself. Lets the vote checks see
    many complaints from one address in a short time (`ratings.vote_abuse`); never published."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.PROTECT, related_name="+")
    source_key = models.CharField(max_length=64, editable=False)
    # The case's received_at, copied so that "same address in the last N hours" reads one index.
    filed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("complaint's filing source")
        verbose_name_plural = _("complaints' filing sources")
        indexes = [models.Index(fields=["source_key", "filed_at"], name="filing_source_recent")]

    def __str__(self) -> str:
        return f"filing source of case {self.case_id}"
