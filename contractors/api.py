"""The contractors app's part of the API.

- `notify_contractor` and `report_repaired` of POST /api/v1/cases/{id}/transitions/{name}/ go
  through this app's services (a work order; the evidence checks).
- The case detail gains `work_order`, `warranty_claim` and, for staff, `evidence_flags`.
- /api/v1/work-orders/ lists the orders a user may see; a contractor acknowledges theirs.
Nothing here carries complainant data.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import roles
from casework.api.serializers import (
    RepairReportSerializer,
    VersionedSerializer,
    register_detail_section,
)
from casework.api.transitions import TransitionEndpoint, register
from casework.transition_calls import transition_call
from contractors import selectors
from contractors.models import WorkOrder
from contractors.services import (
    contractor_of,
    current_work_order,
    work_order_acknowledge,
)


class WorkOrderIssueSerializer(VersionedSerializer):
    contract = serializers.IntegerField(min_value=1)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


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


class OrderPagination(CursorPagination):
    ordering = "-id"
    page_size = 50


class WorkOrderList(ListAPIView):
    serializer_class = WorkOrderSerializer
    pagination_class = OrderPagination
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.work_orders_visible_to(self.request.user)


class WorkOrderDetail(APIView):
    @extend_schema(responses=WorkOrderSerializer)
    def get(self, request, pk: int):
        order = selectors.work_order_for_user(request.user, pk)
        if order is None:
            raise NotFound(_("No such work order, or it is not yours to see."))
        return Response(WorkOrderSerializer(order).data)


class WorkOrderAcknowledge(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=None, responses=WorkOrderSerializer)
    def post(self, request, pk: int):
        order = selectors.work_order_for_user(request.user, pk)
        if order is None:
            raise NotFound(_("No such work order, or it is not yours to see."))
        work_order_acknowledge(order, actor=request.user)
        return Response(WorkOrderSerializer(selectors.work_order_for_user(request.user, pk)).data)


# Case detail sections ------------------------------------------------------------------------


def _is_contractor(user) -> bool:
    return roles.CONTRACTOR in roles.user_roles(user) and not getattr(user, "is_superuser", False)


def work_order_section(case, user) -> dict | None:
    order = current_work_order(case)
    if order is None:
        return None
    if _is_contractor(user) and order.contractor_id != contractor_of(user):
        return None
    return WorkOrderSerializer(order).data


def evidence_section(case, user) -> list[dict] | None:
    if _is_contractor(user):
        return None
    return [
        {
            "code": flag.code,
            "severity": flag.severity,
            "message": flag.message,
            "attachment": flag.attachment_id,
            "kind": flag.kind,
            "other_case": flag.other_case_id,
            "other_tracking_code": flag.other_tracking_code,
        }
        for flag in selectors.case_evidence_flags(case)
    ]


def warranty_section(case, user) -> dict | None:
    claim = selectors.case_warranty_claim(case)
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


def register_endpoints() -> None:
    register(
        "notify_contractor",
        TransitionEndpoint(WorkOrderIssueSerializer, transition_call("notify_contractor")),
    )
    register(
        "report_repaired",
        TransitionEndpoint(
            RepairReportSerializer, transition_call("report_repaired"), multipart=True
        ),
    )
    register_detail_section("work_order", work_order_section)
    register_detail_section("warranty_claim", warranty_section)
    register_detail_section("evidence_flags", evidence_section)
