"""REST API for inquiries and sanctions (read-only; investigators and their supervisors only):
`/api/v1/inquiries/`, `/api/v1/inquiries/{id}/`, `/api/v1/sanctions/`, `/api/v1/sanctions/{id}/`.

Exactly what the staff pages show the same reader (`inquiries_visible_to`): the team and the
supervisor see an inquiry, anyone else gets 404 as if it did not exist. People by name and post
on the day the inquiry was opened; a reporter or a witness only by number, never by identity
(the reveal, with its logged reason, is on the staff page). Mounted by workflows/api/urls.py.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from oversight.inquiries import current_custodian_id
from oversight.inquiry_display import (
    actor_text,
    log_action_label,
    party_text,
    sanction_target_text,
    subject_text,
)
from oversight.models import Inquiry, Sanction
from oversight.selectors import (
    findings_in_force,
    inquiries_visible_to,
    inquiry_log,
    sanctions_visible_to,
)


class InquiryNamedSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="By name and post, never an id alone.")


class SanctionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    target = serializers.SerializerMethodField()
    inquiry_number = serializers.CharField(source="inquiry.number")

    class Meta:
        model = Sanction
        fields = [
            "id",
            "inquiry",
            "inquiry_number",
            "target",
            "kind",
            "kind_label",
            "legal_basis",
            "order_number",
            "order_date",
            "status",
            "status_label",
            "publishable",
            "proposed_at",
            "status_changed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(InquiryNamedSerializer)
    def get_target(self, sanction: Sanction) -> dict:
        kind, pk = (
            ("person", sanction.person_id)
            if sanction.person_id
            else (
                "contractor",
                sanction.contractor_id,
            )
        )
        return {
            "kind": kind,
            "id": pk,
            "name": sanction_target_text(sanction, sanction.inquiry.opened_at),
        }


class InquiryPartySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    role = serializers.CharField()
    name = serializers.CharField(help_text="A reporter or witness: by number, identity protected.")
    finding = serializers.CharField(allow_null=True, help_text="The finding in force, if any.")
    reasoning = serializers.CharField(allow_null=True)


class CustodyTransferSerializer(serializers.Serializer):
    from_user = serializers.CharField()
    to_user = serializers.CharField()
    at = serializers.DateTimeField()
    reason = serializers.CharField()


class InquiryEvidenceSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    sha256 = serializers.CharField()
    custodian = serializers.CharField()
    added_at = serializers.DateTimeField()
    transfers = CustodyTransferSerializer(many=True)


class InquiryLogEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    label = serializers.CharField()
    actor = serializers.CharField()
    created_at = serializers.DateTimeField()
    hash = serializers.CharField()


class InquirySerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    outcome_label = serializers.CharField(source="get_outcome_display")
    opened_by = serializers.SerializerMethodField()
    supervisor = serializers.SerializerMethodField()
    investigators = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    subjects = serializers.SerializerMethodField()

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "number",
            "region",
            "status",
            "status_label",
            "allegations",
            "opened_by",
            "opened_at",
            "supervisor",
            "investigators",
            "due_at",
            "source",
            "subjects",
            "recommendations",
            "outcome",
            "outcome_label",
            "outcome_text",
            "publishable",
            "closed_at",
        ]
        read_only_fields = fields

    def get_opened_by(self, inquiry: Inquiry) -> str:
        return actor_text(inquiry.opened_by, inquiry.opened_at)

    def get_supervisor(self, inquiry: Inquiry) -> str:
        return actor_text(inquiry.supervisor, inquiry.opened_at)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_investigators(self, inquiry: Inquiry) -> list[str]:
        return [actor_text(user, inquiry.opened_at) for user in inquiry.investigators.all()]

    @extend_schema_field(
        serializers.DictField(
            child=serializers.CharField(allow_null=True),
            help_text="Where it was opened from: {kind, id} (e.g. a red-flag hit).",
        )
    )
    def get_source(self, inquiry: Inquiry) -> dict:
        return {"kind": inquiry.source_kind or None, "id": inquiry.source_id}

    @extend_schema_field(InquiryNamedSerializer(many=True))
    def get_subjects(self, inquiry: Inquiry) -> list[dict]:
        rows = inquiry.subjects.select_related(
            "case", "act", "contract__contractor", "contractor", "person"
        )
        return [
            {"kind": s.kind, "id": s.target_id, "name": subject_text(s, inquiry.opened_at)}
            for s in rows
        ]


class InquiryDetailSerializer(InquirySerializer):
    parties = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    sanctions = serializers.SerializerMethodField()
    log = serializers.SerializerMethodField()

    class Meta(InquirySerializer.Meta):
        fields = InquirySerializer.Meta.fields + ["parties", "evidence", "sanctions", "log"]
        read_only_fields = fields

    @extend_schema_field(InquiryPartySerializer(many=True))
    def get_parties(self, inquiry: Inquiry) -> list[dict]:
        in_force = findings_in_force(inquiry)
        rows = []
        for party in inquiry.parties.select_related("person", "contractor").order_by("number"):
            finding = in_force.get(party.pk)
            rows.append(
                {
                    "number": party.number,
                    "role": party.role,
                    "name": party_text(party, inquiry.opened_at),
                    "finding": finding.conclusion if finding else None,
                    "reasoning": finding.reasoning if finding else None,
                }
            )
        return rows

    @extend_schema_field(InquiryEvidenceSerializer(many=True))
    def get_evidence(self, inquiry: Inquiry) -> list[dict]:
        items = list(inquiry.evidence.order_by("number"))
        custodians = {item.pk: current_custodian_id(item) for item in items}
        users = get_user_model().objects.in_bulk(set(custodians.values()))
        rows = []
        for item in items:
            transfers = item.transfers.select_related("from_user", "to_user").order_by("id")
            rows.append(
                {
                    "number": item.number,
                    "kind": item.kind,
                    "description": item.description,
                    "sha256": item.sha256,
                    "custodian": actor_text(users.get(custodians[item.pk]), item.added_at),
                    "added_at": item.added_at,
                    "transfers": [
                        {
                            "from_user": actor_text(t.from_user, t.transferred_at),
                            "to_user": actor_text(t.to_user, t.transferred_at),
                            "at": t.transferred_at,
                            "reason": t.reason,
                        }
                        for t in transfers
                    ],
                }
            )
        return rows

    @extend_schema_field(SanctionSerializer(many=True))
    def get_sanctions(self, inquiry: Inquiry) -> list[dict]:
        rows = inquiry.sanctions.select_related("person", "contractor", "inquiry")
        return SanctionSerializer(rows, many=True).data

    @extend_schema_field(InquiryLogEntrySerializer(many=True))
    def get_log(self, inquiry: Inquiry) -> list[dict]:
        return [
            {
                "seq": entry.seq,
                "action": entry.action,
                "label": log_action_label(entry.action),
                "actor": actor_text(entry.actor, entry.created_at),
                "created_at": entry.created_at,
                "hash": entry.hash,
            }
            for entry in inquiry_log(inquiry)
        ]


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _status_filter(queryset, value: str | None, statuses: list[str]):
    if not value:
        return queryset
    if value not in statuses:
        raise ValidationError(
            {"status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(statuses)}]}
        )
    return queryset.filter(status=value)


@extend_schema(parameters=[OpenApiParameter("status", str, enum=Inquiry.Status.values)])
class InquiryList(ListAPIView):
    """The inquiries the reader works on or supervises, newest first."""

    serializer_class = InquirySerializer
    pagination_class = Pages
    filter_backends: list = []

    def get_queryset(self):
        inquiries = inquiries_visible_to(self.request.user).select_related(
            "opened_by", "supervisor"
        )
        return _status_filter(
            inquiries, self.request.query_params.get("status"), Inquiry.Status.values
        )


class InquiryDetail(APIView):
    @extend_schema(responses=InquiryDetailSerializer)
    def get(self, request, pk: int):
        inquiry = inquiries_visible_to(request.user).filter(pk=pk).first()
        if inquiry is None:
            raise NotFound(_("No such inquiry."))
        return Response(InquiryDetailSerializer(inquiry).data)


@extend_schema(parameters=[OpenApiParameter("status", str, enum=Sanction.Status.values)])
class SanctionList(ListAPIView):
    """The sanctions of the inquiries the reader works on or supervises."""

    serializer_class = SanctionSerializer
    pagination_class = Pages
    filter_backends: list = []

    def get_queryset(self):
        sanctions = sanctions_visible_to(self.request.user).select_related(
            "person", "contractor", "inquiry"
        )
        return _status_filter(
            sanctions, self.request.query_params.get("status"), Sanction.Status.values
        ).order_by("-proposed_at", "-id")


class SanctionDetail(APIView):
    @extend_schema(responses=SanctionSerializer)
    def get(self, request, pk: int):
        sanction = (
            sanctions_visible_to(request.user)
            .select_related("person", "contractor", "inquiry")
            .filter(pk=pk)
            .first()
        )
        if sanction is None:
            raise NotFound(_("No such sanction."))
        return Response(SanctionSerializer(sanction).data)
