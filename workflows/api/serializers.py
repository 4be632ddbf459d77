"""What the REST API reads and accepts: cases, their events and photos, work orders, and the
body of each case action (the table of actions is `workflows.actions`). Nothing here carries
complainant data except through a logged reveal."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework import roles
from casework.models import Attachment, Case, CaseEvent, Department
from casework.selectors import case_allowed_transitions, case_events, may_see_complainant
from casework.services import REOPEN_KINDS
from casework.states import CLOSED_STATES
from contractors import selectors as contractor_selectors
from contractors.models import WorkOrder
from oversight.models import Unit


def _overdue(case: Case) -> bool:
    return bool(case.state not in CLOSED_STATES and case.due_at and case.due_at < timezone.now())


class CaseListSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    department_name = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "tracking_code",
            "title",
            "state",
            "state_label",
            "category",
            "category_code",
            "category_name",
            "district",
            "district_name",
            "department",
            "department_name",
            "channel",
            "priority",
            "address",
            "latitude",
            "longitude",
            "received_at",
            "due_at",
            "stage_due_at",
            "is_overdue",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_department_name(self, case: Case) -> str | None:
        return case.department.name if case.department_id else None

    def get_is_overdue(self, case: Case) -> bool:
        return _overdue(case)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    payload = serializers.DictField(
        read_only=True,
        help_text=(
            "What the action recorded, as hashed into the audit chain; its keys depend on"
            " `action` (assign: department, previous_department, stage_due_at, answer_due_at;"
            " notify_contractor: contract, contractor, work_order, due_at; report_repaired:"
            " photos; act_signed: act, sha256, amount_kzt; …)."
        ),
    )

    class Meta:
        model = CaseEvent
        fields = [
            "seq",
            "action",
            "from_state",
            "to_state",
            "actor",
            "role",
            "reason",
            "payload",
            "created_at",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: CaseEvent) -> str | None:
        if event.actor_id is None:
            return None
        return event.actor.get_full_name() or event.actor.get_username()


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "url", "content_type", "width", "height", "sha256", "uploaded_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment: Attachment) -> str:
        """The permission-checked address (media files are never served by their path)."""
        url = reverse("workflows:attachment", args=[attachment.case_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ComplainantSummarySerializer(serializers.Serializer):
    """What staff see without a logged reveal: whether someone is there, never the contact data."""

    anonymous = serializers.BooleanField()
    has_phone = serializers.BooleanField()
    has_email = serializers.BooleanField()
    language = serializers.CharField()


class WorkOrderSerializer(serializers.ModelSerializer):
    """A work order as its contractor sees it: the place and the job, never who complained."""

    case = serializers.IntegerField(source="case_id", read_only=True)
    tracking_code = serializers.CharField(source="case.tracking_code", read_only=True)
    title = serializers.CharField(source="case.title", read_only=True)
    description = serializers.CharField(source="case.description", read_only=True)
    category = serializers.CharField(source="case.category.name", read_only=True)
    district = serializers.CharField(source="case.district.name", read_only=True)
    address = serializers.CharField(source="case.address", read_only=True)
    latitude = serializers.DecimalField(
        source="case.latitude", max_digits=9, decimal_places=6, read_only=True
    )
    longitude = serializers.DecimalField(
        source="case.longitude", max_digits=9, decimal_places=6, read_only=True
    )
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    under_warranty = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "case",
            "tracking_code",
            "title",
            "description",
            "category",
            "district",
            "address",
            "latitude",
            "longitude",
            "contractor",
            "contract",
            "contract_number",
            "status",
            "status_label",
            "issued_at",
            "due_at",
            "acknowledge_due_at",
            "acknowledged_at",
            "completed_at",
            "accepted_at",
            "warranty_ends_at",
            "note",
            "under_warranty",
        ]
        read_only_fields = fields

    def get_under_warranty(self, order: WorkOrder) -> bool:
        return order.warranty_claim_id is not None


# Sections of the case detail that come from the contractors app; None leaves one out for
# this user.


def _is_contractor(user) -> bool:
    return roles.CONTRACTOR in roles.user_roles(user) and not getattr(user, "is_superuser", False)


def work_order_section(case, user) -> dict | None:
    order = contractor_selectors.current_work_order(case)
    if order is None:
        return None
    if _is_contractor(user) and order.contractor_id != contractor_selectors.contractor_of(user):
        return None
    return WorkOrderSerializer(order).data


class EvidenceFlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "taken_before_order",
            "far_from_site",
            "same_as_before",
            "reused",
            "no_time",
            "no_location",
        ]
    )
    severity = serializers.ChoiceField(
        choices=["warning", "notice"],
        help_text="`warning`: the inspector must look; `notice`: it cannot be checked.",
    )
    message = serializers.CharField()
    attachment = serializers.IntegerField(source="attachment_id")
    kind = serializers.CharField(help_text="Which photo: `before`, `after` or `inspection`.")
    other_case = serializers.IntegerField(source="other_case_id", allow_null=True)
    other_tracking_code = serializers.CharField(allow_blank=True)


def evidence_section(case, user) -> list[dict] | None:
    if _is_contractor(user):
        return None
    return EvidenceFlagSerializer(contractor_selectors.case_evidence_flags(case), many=True).data


def warranty_section(case, user) -> dict | None:
    claim = contractor_selectors.case_warranty_claim(case)
    if claim is None:
        return None
    data = {
        "original_case": claim.original_case_id,
        "original_tracking_code": claim.original_case.tracking_code,
        "contractor": claim.contractor_id,
        "contract": claim.contract_id,
        "warranty_ends_at": claim.warranty_ends_at.isoformat(),
    }
    if not _is_contractor(user):
        data.update(
            {
                "distance_m": claim.distance_m,
                "repair_accepted_at": claim.repair_accepted_at.isoformat(),
                "verified_by": claim.verified_by_id,
                "work_order_issued_by": claim.work_order_issued_by_id,
            }
        )
    return data


DETAIL_SECTIONS = {
    "work_order": work_order_section,
    "warranty_claim": warranty_section,
    "evidence_flags": evidence_section,
}


class WarrantyClaimSectionSerializer(serializers.Serializer):
    """The warranty claim a case became (the schema of `warranty_section`)."""

    original_case = serializers.IntegerField()
    original_tracking_code = serializers.CharField()
    contractor = serializers.IntegerField()
    contract = serializers.IntegerField()
    warranty_ends_at = serializers.DateTimeField()
    distance_m = serializers.FloatField(required=False, help_text="Staff only, not contractors.")
    repair_accepted_at = serializers.DateTimeField(
        required=False, help_text="Staff only, not contractors."
    )
    verified_by = serializers.IntegerField(
        required=False, allow_null=True, help_text="Staff only, not contractors."
    )
    work_order_issued_by = serializers.IntegerField(
        required=False, allow_null=True, help_text="Staff only, not contractors."
    )


class CaseDetailSerializer(CaseListSerializer):
    # Empty unless the case was rejected: declared so that the schema allows the empty string.
    reject_reason = serializers.ChoiceField(
        choices=Case._meta.get_field("reject_reason").choices, allow_blank=True, read_only=True
    )
    allowed_transitions = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    version = serializers.IntegerField(source="event_seq", read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "description",
            "redirect_due_at",
            "closed_at",
            "reject_reason",
            "duplicate_of",
            "reroute_count",
            "rework_count",
            "reopen_count",
            "extension_count",
            "escalation_level",
            "version",
            "allowed_transitions",
            "attachments",
            "events",
        ]
        read_only_fields = fields

    def to_representation(self, case: Case) -> dict:
        data = super().to_representation(case)
        user = self.context["request"].user
        if may_see_complainant(user):
            person = case.complainant
            data["complainant"] = ComplainantSummarySerializer(
                {
                    "anonymous": person is None,
                    "has_phone": bool(person and person.phone),
                    "has_email": bool(person and person.email),
                    "language": person.language if person else "",
                }
            ).data
        for name, section in DETAIL_SECTIONS.items():
            value = section(case, user)
            if value is not None:
                data[name] = value
        return data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_transitions(self, case: Case) -> list[str]:
        return case_allowed_transitions(case, self.context["request"].user)

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case: Case) -> list[dict]:
        events = case_events(case, self.context["request"].user)
        return EventSerializer(events, many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, case: Case) -> list[dict]:
        return AttachmentSerializer(case.attachments.all(), many=True, context=self.context).data


class CaseDetailResponseSerializer(CaseDetailSerializer):
    """The case detail as the schema describes it: `CaseDetailSerializer` plus the sections it
    adds only when they apply and the reader may see them (hence not required)."""

    complainant = ComplainantSummarySerializer(
        required=False, help_text="Staff who may see the complainant: whether one is there."
    )
    work_order = WorkOrderSerializer(
        required=False, help_text="The current work order; a contractor sees only its own."
    )
    warranty_claim = WarrantyClaimSectionSerializer(
        required=False,
        help_text="When this complaint is a claim under an earlier repair's warranty.",
    )
    evidence_flags = EvidenceFlagSerializer(
        many=True,
        required=False,
        help_text="Warnings about the repair photos; not for contractors.",
    )

    class Meta(CaseDetailSerializer.Meta):
        fields = CaseDetailSerializer.Meta.fields + [*DETAIL_SECTIONS, "complainant"]


# Transition bodies ---------------------------------------------------------------------------


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The case's `version` you last read; 409 if it changed since.",
    )


class AssignSerializer(VersionedSerializer):
    department = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    def validate_department(self, pk: int) -> Department:
        department = Department.objects.select_related("district").filter(pk=pk).first()
        if department is None:
            raise serializers.ValidationError(_("No such department."))
        return department


class ReasonSerializer(VersionedSerializer):
    reason = serializers.CharField(max_length=4000)


class ReopenSerializer(ReasonSerializer):
    kind = serializers.ChoiceField(choices=REOPEN_KINDS, required=False)


class RejectSerializer(VersionedSerializer):
    reason_code = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=4000)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class WorkOrderIssueSerializer(VersionedSerializer):
    contract = serializers.IntegerField(min_value=1)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class RepairReportSerializer(VersionedSerializer):
    before = serializers.ListField(child=serializers.FileField(), allow_empty=True, max_length=10)
    after = serializers.ListField(child=serializers.FileField(), allow_empty=True, max_length=10)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class VerifySerializer(VersionedSerializer):
    """Accepting the repair signs its acceptance act: what was accepted and what it costs."""

    quantity = serializers.DecimalField(min_value=Decimal("0.001"), max_digits=12, decimal_places=3)
    unit = serializers.ChoiceField(choices=Unit.choices)
    amount_kzt = serializers.DecimalField(min_value=Decimal("0"), max_digits=16, decimal_places=2)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, allow_empty=True, max_length=10
    )


class ReworkSerializer(ReasonSerializer):
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, allow_empty=True, max_length=10
    )


class ExtendDeadlineSerializer(VersionedSerializer):
    new_due_at = serializers.DateTimeField()
    decision = serializers.CharField(max_length=4000)


class ReviewStartSerializer(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class AnswerSerializer(VersionedSerializer):
    answer = serializers.CharField(max_length=4000, help_text="The answer the citizen reads.")


class ReferSerializer(AnswerSerializer):
    referred_to = serializers.CharField(
        max_length=300, help_text="The body the corruption report is referred to."
    )


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
