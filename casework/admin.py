"""Admin for every model, with history. Cases and events are read-only here: they change only
through services, so the admin cannot bypass the lifecycle or the audit chain."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework import models


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ru", "name_kk"]


@admin.register(models.District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ru", "region", "kind", "akim"]
    list_filter = ["region", "kind"]


@admin.register(models.Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_ru", "district", "head"]
    list_filter = ["district__region"]


@admin.register(models.Official)
class OfficialAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "position", "email"]


@admin.register(models.Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name_ru",
        "public",
        "requires_identity",
        "corruption_report",
        "sla_total_days",
    ]


@admin.register(models.CategoryRouting)
class CategoryRoutingAdmin(SimpleHistoryAdmin):
    list_display = ["district", "category", "department"]


@admin.register(models.StaffProfile)
class StaffProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "region", "district", "department"]


@admin.register(models.CalendarOverride)
class CalendarOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "note"]


@admin.register(models.Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "tracking_code",
        "title",
        "state",
        "district",
        "department",
        "received_at",
        "due_at",
    ]
    list_filter = ["state", "channel", "region"]
    search_fields = ["tracking_code", "title", "address"]
    exclude = ["access_token"]


@admin.register(models.Complainant)
class ComplainantAdmin(ReadOnlyAdmin):
    # Contact data is not shown here: reading it goes through the logged reveal.
    list_display = ["id", "anonymous", "language", "created_at"]
    fields = ["anonymous", "language", "created_at"]


@admin.register(models.CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "seq", "action", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["action"]


@admin.register(models.Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "kind", "content_type", "uploaded_at"]


@admin.register(models.OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "attempts", "created_at", "done_at", "last_error"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in models.OutboxJob._meta.fields]

    def has_add_permission(self, request):
        return False
