from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight import models


class OccupancyInline(admin.TabularInline):
    model = models.Occupancy
    extra = 0
    fields = ["position", "started_on", "ended_on", "order_number", "order_date"]
    autocomplete_fields = ["position"]


@admin.register(models.Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "email", "user"]
    search_fields = ["full_name", "email", "user__username"]
    inlines = [OccupancyInline]


@admin.register(models.Position)
class PositionAdmin(SimpleHistoryAdmin):
    list_display = ["title_ru", "kind", "region", "district", "department", "contractor"]
    list_filter = ["kind", "region"]
    search_fields = ["title_kk", "title_ru", "title_en"]


@admin.register(models.Occupancy)
class OccupancyAdmin(SimpleHistoryAdmin):
    list_display = ["person", "position", "started_on", "ended_on", "order_number"]
    list_filter = ["position__kind"]
    search_fields = ["person__full_name", "position__title_ru", "order_number"]
    autocomplete_fields = ["person", "position"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Acts, attributions and failures are written by services as things happen."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActPhotoInline(admin.TabularInline):
    model = models.AcceptanceActPhoto
    fields = ["attachment", "kind", "sha256"]
    readonly_fields = fields
    can_delete = False
    extra = 0


class ActSignatoryInline(admin.TabularInline):
    model = models.AcceptanceActSignatory
    fields = ["role", "person", "position", "occupancy"]
    readonly_fields = fields
    can_delete = False
    extra = 0


@admin.register(models.AcceptanceAct)
class AcceptanceActAdmin(ReadOnlyAdmin):
    list_display = ["number", "signed_on", "case", "contract", "quantity", "unit", "amount_kzt"]
    search_fields = ["number", "case__tracking_code", "contract__number"]
    inlines = [ActPhotoInline, ActSignatoryInline]


@admin.register(models.DecisionAttribution)
class DecisionAttributionAdmin(ReadOnlyAdmin):
    list_display = ["decided_at", "action", "case", "person", "position"]
    list_filter = ["action"]
    search_fields = ["person__full_name", "case__tracking_code"]


@admin.register(models.AcceptedWorkFailure)
class AcceptedWorkFailureAdmin(ReadOnlyAdmin):
    list_display = ["detected_at", "kind", "act", "case", "distance_m"]
    list_filter = ["kind"]
