from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import Attachment, Case, CaseEvent
from casework.selectors import case_allowed_transitions, case_events, may_see_complainant
from casework.states import CLOSED_STATES


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
    url = serializers.FileField(source="file", read_only=True, use_url=True)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "url", "content_type", "width", "height", "sha256", "uploaded_at"]
        read_only_fields = fields


class ComplainantSummarySerializer(serializers.Serializer):
    """What staff see without a logged reveal: whether someone is there, never the contact data."""

    anonymous = serializers.BooleanField()
    has_phone = serializers.BooleanField()
    has_email = serializers.BooleanField()
    language = serializers.CharField()


# Extra sections of the case detail, added by apps above casework (which casework must not
# import): name -> function(case, user) returning JSON-ready data, or None to leave it out for
# this user. The contractors app adds the work order, evidence flags and warranty claim.
DetailSection = Callable[[Case, Any], Any]
_detail_sections: dict[str, DetailSection] = {}


def register_detail_section(name: str, section: DetailSection) -> None:
    _detail_sections[name] = section


class CaseDetailSerializer(CaseListSerializer):
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
        for name, section in _detail_sections.items():
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


class ReasonSerializer(VersionedSerializer):
    reason = serializers.CharField(max_length=4000)


class ReopenSerializer(ReasonSerializer):
    kind = serializers.ChoiceField(
        choices=["warranty_defect", "citizen_dispute", "appeal"], required=False
    )


class RejectSerializer(VersionedSerializer):
    reason_code = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=4000)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class RepairReportSerializer(VersionedSerializer):
    before = serializers.ListField(child=serializers.FileField(), allow_empty=True, max_length=10)
    after = serializers.ListField(child=serializers.FileField(), allow_empty=True, max_length=10)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class VerifySerializer(VersionedSerializer):
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


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
