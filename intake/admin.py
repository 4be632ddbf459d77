from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from intake.models import DistrictArea, InboundMessage, Open311Client, StaffChat


@admin.register(DistrictArea)
class DistrictAreaAdmin(SimpleHistoryAdmin):
    list_display = ("district", "latitude", "longitude", "radius_km")
    search_fields = ("district__code", "district__name_ru", "district__name_kk")


@admin.register(StaffChat)
class StaffChatAdmin(SimpleHistoryAdmin):
    list_display = ("user", "channel", "chat_id", "created_at")
    list_filter = ("channel",)
    search_fields = ("user__username", "user__last_name")
    autocomplete_fields = ("user",)


@admin.register(Open311Client)
class Open311ClientAdmin(SimpleHistoryAdmin):
    """Keys are issued and revoked with `manage.py open311_key`; here they are only listed."""

    list_display = ("name", "created_at", "revoked_at")
    fields = ("name", "created_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """What the channels delivered, as received. Read-only: the raw record is evidence."""

    list_display = ("received_at", "channel", "kind", "external_id", "processed_at", "error")
    list_filter = ("channel", "kind")
    search_fields = ("external_id",)
    exclude = ("raw_body",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "raw_body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
