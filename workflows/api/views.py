"""The REST API's views (every endpoint is listed in `workflows.api.urls`). Each case action
runs through the one table of actions, `workflows.actions`, as the staff application's do."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, UnsupportedMediaType
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import services
from casework.selectors import case_events, cases_visible_to
from contractors import selectors as contractor_selectors
from contractors.services import work_order_acknowledge
from workflows import actions
from workflows.api import serializers as s
from workflows.api.errors import PayloadTooLarge
from workflows.api.filters import CaseFilter

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
    @extend_schema(responses=s.CaseDetailResponseSerializer)
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
        action = actions.TRANSITIONS.get(self.kwargs.get("name", ""))
        if action is not None and action.api_multipart:
            return settings.MAX_UPLOAD_BYTES * 10
        return self.body_limit

    # The schema describes each transition as an operation of its own (`transition_view`);
    # this catch-all only answers unknown names with the list of known ones.
    @extend_schema(exclude=True)
    def post(self, request, pk: int, name: str):
        action = actions.TRANSITIONS.get(name)
        if action is None:
            raise NotFound(
                _("Unknown transition “%(name)s”. Known: %(known)s.")
                % {"name": name, "known": ", ".join(sorted(actions.TRANSITIONS))}
            )
        case = self.visible_case(pk)
        if request.content_type.startswith("multipart/") and not action.api_multipart:
            raise UnsupportedMediaType(request.content_type)
        if not action.api_multipart and not request.content_type.startswith("application/json"):
            raise UnsupportedMediaType(request.content_type or "none")
        # Who may, and from which state, before what they sent: 403, then 409, then 400.
        services.transition_authorise(name, case, request.user)
        body = action.serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        done = action.perform(case, request.user, body.validated_data)
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


def transition_view(name: str):
    """The transitions endpoint for one transition, described in the schema with its own body."""
    action = actions.TRANSITIONS[name]
    request_body: dict = {"application/json": action.serializer_class}
    if action.api_multipart:
        request_body["multipart/form-data"] = action.serializer_class

    def post(self, request, pk: int, name: str = name):
        return CaseTransition.post(self, request, pk, name)

    documented = extend_schema(
        operation_id=f"cases_transitions_{name}",
        summary=action.label,
        description=(
            f"{action.serializer_class.__doc__ or ''}\n\n"
            "403 when this user may not take it, 409 when the case's state does not allow it"
            " or the case changed since the `version` sent, 400 with field messages for bad"
            " input; nothing changes in any of them."
        ).strip(),
        request=request_body,
        responses={200: s.CaseDetailResponseSerializer},
    )(post)
    view = type(f"CaseTransition_{name}", (CaseTransition,), {"post": documented})
    return view.as_view()


class CaseDeadlineExtension(BodyLimitMixin, VisibleCaseMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        request=s.ExtendDeadlineSerializer, responses={200: s.CaseDetailResponseSerializer}
    )
    def post(self, request, pk: int):
        case = self.visible_case(pk)
        action = actions.ACTIONS["extend_deadline"]
        body = action.serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        action.perform(case, request.user, body.validated_data)
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


# Work orders ---------------------------------------------------------------------------------


class OrderPagination(CursorPagination):
    ordering = "-id"
    page_size = 50


class WorkOrderList(ListAPIView):
    serializer_class = s.WorkOrderSerializer
    pagination_class = OrderPagination
    filterset_fields = ["status"]

    def get_queryset(self):
        return contractor_selectors.work_orders_visible_to(self.request.user)


class WorkOrderDetail(APIView):
    @extend_schema(responses=s.WorkOrderSerializer)
    def get(self, request, pk: int):
        order = contractor_selectors.work_order_for_user(request.user, pk)
        if order is None:
            raise NotFound(_("No such work order, or it is not yours to see."))
        return Response(s.WorkOrderSerializer(order).data)


class WorkOrderAcknowledge(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=None, responses=s.WorkOrderSerializer)
    def post(self, request, pk: int):
        order = contractor_selectors.work_order_for_user(request.user, pk)
        if order is None:
            raise NotFound(_("No such work order, or it is not yours to see."))
        work_order_acknowledge(order, actor=request.user)
        return Response(
            s.WorkOrderSerializer(contractor_selectors.work_order_for_user(request.user, pk)).data
        )
