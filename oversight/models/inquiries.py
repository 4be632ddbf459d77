"""Inquiries and sanctions: what the anti-corruption department looks into, what it finds, and
what was done about it.

Every change to an inquiry is appended to `InquiryLogEntry`, a hash chain of its own (one for
the whole database, serialised by `InquiryLogHead`, hashed with casework's `chain_hash`). Evidence,
custody transfers, interview notes and findings are append-only (the ORM refuses changes; on
PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE, migration 0005), and each row's content is
recorded in the log entry written with it, so `verify_audit` notices a row changed behind the log.
The identity of a reporter or a witness is encrypted at rest and revealed only with a logged
reason, like a complainant's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casework.crypto import EncryptedJSONField
from casework.models.audit import GENESIS_HASH

APPEND_ONLY_MESSAGE = "Inquiry records are append-only."


class InquiryAppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(APPEND_ONLY_MESSAGE)

    def delete(self):
        raise PermissionError(APPEND_ONLY_MESSAGE)


class InquiryAppendOnly(models.Model):
    objects = InquiryAppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError(APPEND_ONLY_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(APPEND_ONLY_MESSAGE)


def evidence_upload_to(instance: EvidenceItem, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:10] if "." in filename else "bin"
    return f"inquiries/{instance.sha256[:2]}/{instance.sha256}.{ext}"


def _private_storage():
    from casework.uploads import private_storage

    return private_storage()


class Inquiry(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        SANCTIONS = "sanctions", _("Violations found, sanctions imposed or proposed")
        NO_VIOLATION = "no_violation", _("No violation found")
        REFERRED = "referred", _("Referred to the prosecutor")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    number = models.CharField(_("number"), max_length=40, unique=True)
    region = models.ForeignKey(
        "casework.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    allegations = models.TextField(_("allegations"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"))
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inquiries_supervised",
        verbose_name=_("supervisor"),
    )
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="inquiries_assigned",
        verbose_name=_("investigators"),
        blank=True,
    )
    due_at = models.DateTimeField(_("due"))
    # Where the inquiry came from (a red-flag hit, a case's page...): a kind and an id, so that
    # the red-flag registry can link its hits without this table knowing it.
    source_kind = models.CharField(_("opened from"), max_length=32, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_text = models.TextField(_("outcome in words"), blank=True)
    publishable = models.BooleanField(_("outcome may be published"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["source_kind", "source_id"], name="inquiry_source")]

    def __str__(self) -> str:
        return self.number


class InquirySubject(models.Model):
    """What an inquiry is about: one of a case, an act, a contract, a contractor, a person."""

    class Kind(models.TextChoices):
        CASE = "case", _("Case")
        ACT = "act", _("Acceptance act")
        CONTRACT = "contract", _("Contract")
        CONTRACTOR = "contractor", _("Contractor")
        PERSON = "person", _("Official")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="subjects")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    act = models.ForeignKey(
        "oversight.AcceptanceAct",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contract = models.ForeignKey(
        "contractors.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        "oversight.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("inquiry subject")
        verbose_name_plural = _("inquiry subjects")
        ordering = ["inquiry", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="case", case__isnull=False)
                | models.Q(kind="act", act__isnull=False)
                | models.Q(kind="contract", contract__isnull=False)
                | models.Q(kind="contractor", contractor__isnull=False)
                | models.Q(kind="person", person__isnull=False),
                name="inquiry_subject_names_its_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_id}"

    @property
    def target_id(self) -> int | None:
        return getattr(self, f"{self.kind}_id", None)


class InquiryParty(models.Model):
    """A person in the inquiry: a subject (an official by their `person`, or a contractor), a
    witness or a reporter. A witness's or reporter's identity is kept encrypted in `identity`
    and is shown only through `inquiry_party_reveal`, which logs why."""

    class Role(models.TextChoices):
        SUBJECT = "subject", _("Subject")
        WITNESS = "witness", _("Witness")
        REPORTER = "reporter", _("Reporter")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="parties")
    number = models.PositiveIntegerField(_("number in the inquiry"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    person = models.ForeignKey(
        "oversight.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    identity = EncryptedJSONField(_("identity (encrypted)"), blank=True, default=dict)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"))

    class Meta:
        verbose_name = _("inquiry party")
        verbose_name_plural = _("inquiry parties")
        ordering = ["inquiry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "number"], name="one_party_per_number"),
            models.CheckConstraint(
                condition=models.Q(
                    role="subject", identity="", person__isnull=False, contractor__isnull=True
                )
                | models.Q(
                    role="subject", identity="", person__isnull=True, contractor__isnull=False
                )
                | (
                    models.Q(role__in=["witness", "reporter"], person__isnull=True)
                    & models.Q(contractor__isnull=True)
                    & ~models.Q(identity="")
                ),
                name="inquiry_party_identity_by_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.number}"

    @property
    def protected(self) -> bool:
        return self.role in (self.Role.WITNESS, self.Role.REPORTER)


class EvidenceItem(InquiryAppendOnly):
    """A piece of evidence: an uploaded file, or a link to a case event, a photo or an act. Its
    SHA-256 is the file's, the photo's, the act's content hash or the event's chain hash. The
    custodian named here took it in; `CustodyTransfer` rows record every hand-over since."""

    class Kind(models.TextChoices):
        FILE = "file", _("Uploaded file")
        CASE_EVENT = "case_event", _("Case event")
        PHOTO = "photo", _("Photo")
        ACT = "act", _("Acceptance act")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="evidence")
    number = models.PositiveIntegerField(_("number in the inquiry"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(
        _("file"), upload_to=evidence_upload_to, storage=_private_storage, blank=True
    )
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    case_event = models.ForeignKey(
        "casework.CaseEvent",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    attachment = models.ForeignKey(
        "casework.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    act = models.ForeignKey(
        "oversight.AcceptanceAct",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("first custodian"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"))

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["inquiry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "number"], name="one_evidence_per_number"),
            models.CheckConstraint(
                condition=models.Q(kind="file") & ~models.Q(file="")
                | models.Q(kind="case_event", case_event__isnull=False)
                | models.Q(kind="photo", attachment__isnull=False)
                | models.Q(kind="act", act__isnull=False),
                name="evidence_names_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"E-{self.number}"


class CustodyTransfer(InquiryAppendOnly):
    evidence = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="transfers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    transferred_at = models.DateTimeField(_("when"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("custody transfer")
        verbose_name_plural = _("custody transfers")
        ordering = ["evidence", "transferred_at", "id"]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.to_user_id}"


class InquiryNote(InquiryAppendOnly):
    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        NOTE = "note", _("Note")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    party = models.ForeignKey(
        InquiryParty, null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    text = models.TextField(_("text"))
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("interview note")
        verbose_name_plural = _("interview notes")
        ordering = ["inquiry", "written_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Finding(InquiryAppendOnly):
    """The conclusion about one party. A later finding on the same party revises it; the
    earlier one stays."""

    class Conclusion(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("Substantiated")
        NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="findings")
    party = models.ForeignKey(InquiryParty, on_delete=models.PROTECT, related_name="findings")
    conclusion = models.CharField(_("conclusion"), max_length=24, choices=Conclusion.choices)
    reasoning = models.TextField(_("reasoning"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inquiry", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.party}: {self.get_conclusion_display()}"


class Sanction(models.Model):
    class Kind(models.TextChoices):
        REMARK = "remark", _("Remark")
        REPRIMAND = "reprimand", _("Reprimand")
        SEVERE_REPRIMAND = "severe_reprimand", _("Severe reprimand")
        INCOMPLETE_FITNESS = "incomplete_fitness", _("Warning of incomplete fitness for service")
        DISMISSAL = "dismissal", _("Dismissal")
        FINE = "fine", _("Fine")
        UNSCRUPULOUS_SUPPLIERS = (
            "unscrupulous_suppliers",
            _("Entry in the register of unscrupulous suppliers"),
        )
        PROSECUTOR_REFERRAL = "prosecutor_referral", _("Referral to the prosecutor")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IMPOSED = "imposed", _("Imposed")
        APPEALED = "appealed", _("Appealed")
        CANCELLED = "cancelled", _("Cancelled")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="sanctions")
    person = models.ForeignKey(
        "oversight.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
        verbose_name=_("official"),
    )
    contractor = models.ForeignKey(
        "contractors.Contractor",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contractor"),
    )
    kind = models.CharField(_("sanction"), max_length=32, choices=Kind.choices)
    legal_basis = models.TextField(_("legal basis"))
    order_number = models.CharField(_("order number"), max_length=64, blank=True)
    order_date = models.DateField(_("order date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    publishable = models.BooleanField(_("may be published"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"))
    status_changed_at = models.DateTimeField(_("status since"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["inquiry", "proposed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, contractor__isnull=True)
                | models.Q(person__isnull=True, contractor__isnull=False),
                name="sanction_on_person_or_contractor",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="imposed")
                | (~models.Q(order_number="") & models.Q(order_date__isnull=False)),
                name="imposed_sanction_has_order",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class InquiryLogEntry(models.Model):
    """One change to an inquiry. Written only by `oversight.inquiry_log.log_append`."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="log")
    seq = models.PositiveIntegerField(_("number in the inquiry"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = InquiryAppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("inquiry log entry")
        verbose_name_plural = _("inquiry log")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "seq"], name="one_log_entry_per_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.inquiry_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError(APPEND_ONLY_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(APPEND_ONLY_MESSAGE)


class InquiryLogHead(models.Model):
    """The single row that serialises appends to the inquiry log and remembers its tip."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"inquiry log head: {self.count} entries, {self.last_hash[:12]}"
