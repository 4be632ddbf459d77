from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, UnsupportedMediaType
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import services
from casework.api import serializers as s
from casework.api import transitions
from casework.api.errors import PayloadTooLarge
from casework.api.filters import CaseFilter
from casework.selectors import case_events, cases_visible_to

JSON_BODY_LIMIT = 256 * 1024


class BodyLimitMixin:
    """Refuse an oversized body before reading it (413), whatever parser would read it."""

    body_limit = JSON_BODY_LIMIT

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit_for(request):
            raise PayloadTooLarge()

    def limit_for(self, request) -> int:
        return self.body_limit


class CasePagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class VisibleCaseMixin:
    def visible_case(self, pk: int):
        case = (
            cases_visible_to(self.request.user)
            .select_related("category", "district", "department", "complainant")
            .filter(pk=pk)
            .first()
        )
        if case is None:
            raise NotFound(_("No such case, or it is not yours to see."))
        return case


class CaseList(generics.ListAPIView):
    serializer_class = s.CaseListSerializer
    pagination_class = CasePagination
    filterset_class = CaseFilter

    def get_queryset(self):
        return cases_visible_to(self.request.user).select_related(
            "category", "district", "department"
        )


class CaseDetail(VisibleCaseMixin, APIView):
    @extend_schema(responses=s.CaseDetailSerializer)
    def get(self, request, pk: int):
        case = self.visible_case(pk)
        return Response(s.CaseDetailSerializer(case, context={"request": request}).data)


class CaseEvents(VisibleCaseMixin, APIView):
    @extend_schema(responses=s.EventSerializer(many=True))
    def get(self, request, pk: int):
        case = self.visible_case(pk)
        return Response(s.EventSerializer(case_events(case, request.user), many=True).data)


class CaseTransition(BodyLimitMixin, VisibleCaseMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser]

    def limit_for(self, request) -> int:
        endpoint = transitions.endpoint_for(self.kwargs.get("name", ""))
        if endpoint is not None and endpoint.multipart:
            return settings.MAX_UPLOAD_BYTES * 10
        return self.body_limit

    @extend_schema(
        request={
            "application/json": s.VersionedSerializer,
            "multipart/form-data": s.VersionedSerializer,
        },
        responses={200: s.CaseDetailSerializer},
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=transitions.names())],
        description=(
            "Take a transition. Bodies: assign {department, reason}; reject {reason_code, reason,"
            " duplicate_of}; return_for_rework, reopen {reason}; report_repaired multipart with"
            " before[] and after[] photos; notify_contractor {contract, due_at, note}. 409 when"
            " the state does not allow it or the case changed meanwhile."
        ),
    )
    def post(self, request, pk: int, name: str):
        endpoint = transitions.endpoint_for(name)
        if endpoint is None:
            raise NotFound(
                _("Unknown transition “%(name)s”. Known: %(known)s.")
                % {"name": name, "known": ", ".join(transitions.names())}
            )
        case = self.visible_case(pk)
        if request.content_type.startswith("multipart/") and not endpoint.multipart:
            raise UnsupportedMediaType(request.content_type)
        if endpoint.multipart is False and not request.content_type.startswith("application/json"):
            raise UnsupportedMediaType(request.content_type or "none")
        # Who may, and from which state, before what they sent: 403, then 409, then 400.
        services.transition_authorise(name, case, request.user)
        body = endpoint.serializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = endpoint.perform(case, request.user, body.validated_data)
        try:
            case = self.visible_case(pk)
        except NotFound:
            # The actor's own action took the case out of their scope (redirected elsewhere).
            done = getattr(done, "case", done)
            return Response(
                {
                    "id": done.pk,
                    "tracking_code": done.tracking_code,
                    "state": done.state,
                    "visible": False,
                }
            )
        return Response(s.CaseDetailSerializer(case, context={"request": request}).data)


class CaseDeadlineExtension(BodyLimitMixin, VisibleCaseMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=s.ExtendDeadlineSerializer, responses={200: s.CaseDetailSerializer})
    def post(self, request, pk: int):
        case = self.visible_case(pk)
        body = s.ExtendDeadlineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.case_extend_deadline(
            case,
            actor=request.user,
            new_due_at=body.validated_data["new_due_at"],
            decision=body.validated_data["decision"],
            version=body.validated_data.get("version"),
        )
        case = self.visible_case(pk)
        return Response(s.CaseDetailSerializer(case, context={"request": request}).data)


class ComplainantReveal(BodyLimitMixin, VisibleCaseMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=s.RevealSerializer, responses={200: dict})
    def post(self, request, pk: int):
        case = self.visible_case(pk)
        body = s.RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = services.complainant_reveal(
            case, actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(data)
