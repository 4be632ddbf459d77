import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from casework.models import Case
from casework.states import CLOSED_STATES, CaseState

MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A row id: a whole number a bigint column can hold (anything else is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, turned into UTC: PostgreSQL refuses offsets beyond ±15:59, and a
    moment that does not exist in UTC (year 0) is a 400, not a 500."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or timezone.is_naive(moment):
            return moment
        try:
            return moment.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValidationError(_("Enter a date and time within the years 1–9999.")) from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class CaseFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=CaseState.choices)
    district = IdFilter(field_name="district_id")
    department = IdFilter(field_name="department_id")
    category = filters.CharFilter(method="filter_category", max_length=64)
    overdue = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")],
        method="filter_overdue",
    )
    received_after = UtcIsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UtcIsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    q = filters.CharFilter(method="filter_text", max_length=200)

    class Meta:
        model = Case
        fields = [
            "state",
            "district",
            "department",
            "category",
            "overdue",
            "received_after",
            "received_before",
            "q",
        ]

    def filter_category(self, queryset, name, value):
        """A category id or its service code."""
        if value.isdigit():
            number = int(value)
            return queryset.filter(category_id=number) if number <= MAX_ID else queryset.none()
        return queryset.filter(category__code=value)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_at__lt=timezone.now()) & ~Q(state__in=CLOSED_STATES)
        return queryset.filter(overdue) if value in ("true", "1") else queryset.exclude(overdue)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(tracking_code__iexact=value)
            | Q(title__icontains=value)
            | Q(address__icontains=value)
            | Q(description__icontains=value)
        )
