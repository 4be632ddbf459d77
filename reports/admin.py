from django.contrib import admin

from reports.models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Runs are written by the reports services only; the admin shows them."""

    list_display = ("id", "kind", "month", "region", "district", "language", "status", "created_at")
    list_filter = ("kind", "status", "language")
    search_fields = ("case__tracking_code", "requested_by__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
