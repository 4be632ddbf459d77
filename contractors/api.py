"""The contractors app's part of the case API: `notify_contractor` issues a work order."""

from rest_framework import serializers

from casework.api.serializers import VersionedSerializer
from casework.api.transitions import TransitionEndpoint, register
from contractors.services import work_order_issue


class WorkOrderIssueSerializer(VersionedSerializer):
    contract = serializers.IntegerField(min_value=1)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


def register_endpoints() -> None:
    register(
        "notify_contractor",
        TransitionEndpoint(
            WorkOrderIssueSerializer,
            lambda case, actor, d: work_order_issue(
                case,
                actor=actor,
                contract=d["contract"],
                due_at=d.get("due_at"),
                note=d.get("note", ""),
                version=d.get("version"),
            ),
        ),
    )
