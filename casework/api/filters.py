from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters

from casework.models import Case
from casework.states import CLOSED_STATES, CaseState


class CaseFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=CaseState.choices)
    district = filters.NumberFilter(field_name="district_id")
    department = filters.NumberFilter(field_name="department_id")
    category = filters.CharFilter(method="filter_category", max_length=64)
    overdue = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")],
        method="filter_overdue",
    )
    received_after = filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
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
            return queryset.filter(category_id=int(value))
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
