"""REST API for red-flag hits (investigators only): `/api/v1/red-flags/` ranked by score then
money, with the queue's filters; `/api/v1/red-flags/{id}/`; `POST .../{id}/dismiss/` with a
reason. Mounted by workflows/api/urls.py (the API's one URL list)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import roles
from oversight.models import RedFlagHit
from oversight.red_flags.queue import (
    FILTERS,
    hit_person_post,
    hits_visible_to,
    red_flag_dismiss,
    red_flag_queue,
)
from oversight.red_flags.registry import INDICATORS


class EvidenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()


class SubjectSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()


class RedFlagHitSerializer(serializers.ModelSerializer):
    indicator_name = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True)
    contractor_name = serializers.CharField(source="contractor.legal_name", default=None)
    person_name = serializers.CharField(source="person.full_name", default=None)
    person_post = serializers.SerializerMethodField()

    class Meta:
        model = RedFlagHit
        fields = [
            "id",
            "indicator",
            "indicator_name",
            "subject",
            "evidence",
            "money_kzt",
            "score",
            "details",
            "status",
            "region",
            "district",
            "case",
            "contractor",
            "contractor_name",
            "person",
            "person_name",
            "person_post",
            "occurred_at",
            "first_found_at",
            "last_found_at",
            "dismissed_at",
            "dismissal_reason",
        ]

    def get_indicator_name(self, hit: RedFlagHit) -> str:
        indicator = INDICATORS.get(hit.indicator)
        return str(indicator.name) if indicator else hit.indicator

    @extend_schema_field(serializers.CharField())
    def get_person_post(self, hit: RedFlagHit) -> str:
        """The official by name and post: for an act, the post they signed it in."""
        return hit_person_post(hit)

    @extend_schema_field(SubjectSerializer)
    def get_subject(self, hit: RedFlagHit) -> dict:
        return {"kind": hit.subject_kind, "id": hit.subject_id, "name": hit.subject_name}


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class HitPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _investigators_only(user) -> None:
    if not (user.is_superuser or roles.INVESTIGATOR in roles.user_roles(user)):
        raise PermissionDenied(_("Red flags are for anti-corruption investigators."))


def _hit(user, pk: int) -> RedFlagHit:
    hit = hits_visible_to(user).select_related("contractor", "person").filter(pk=pk).first()
    if hit is None:
        raise NotFound(_("No such red flag, or it is not yours to see."))
    return hit


QUEUE_PARAMETERS = [
    OpenApiParameter("indicator", str, enum=sorted(INDICATORS)),
    OpenApiParameter("district", int),
    OpenApiParameter("contractor", int),
    OpenApiParameter("person", int, description="an official (oversight person id)"),
    OpenApiParameter("since", str, description="YYYY-MM-DD, when the facts happened"),
    OpenApiParameter("until", str, description="YYYY-MM-DD"),
    OpenApiParameter("min_money", str, description="KZT"),
    OpenApiParameter("status", str, enum=[*RedFlagHit.Status.values, "all"]),
]


@extend_schema(parameters=QUEUE_PARAMETERS)
class RedFlagList(ListAPIView):
    """The hits of the investigator's region, ranked by score, then money at stake."""

    serializer_class = RedFlagHitSerializer
    pagination_class = HitPagination
    filter_backends: list = []

    def get_queryset(self):
        _investigators_only(self.request.user)
        filters = {name: self.request.query_params.get(name) for name in FILTERS}
        return red_flag_queue(self.request.user, {k: v for k, v in filters.items() if v})


class RedFlagDetail(APIView):
    @extend_schema(responses=RedFlagHitSerializer)
    def get(self, request, pk: int):
        _investigators_only(request.user)
        return Response(RedFlagHitSerializer(_hit(request.user, pk)).data)


class RedFlagDismiss(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=DismissSerializer, responses=RedFlagHitSerializer)
    def post(self, request, pk: int):
        _investigators_only(request.user)
        _hit(request.user, pk)
        body = DismissSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        red_flag_dismiss(pk, request.user, body.validated_data["reason"])
        return Response(RedFlagHitSerializer(_hit(request.user, pk)).data)
