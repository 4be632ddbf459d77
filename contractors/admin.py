from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contractors import models


@admin.register(models.Contractor)
class ContractorAdmin(SimpleHistoryAdmin):
    list_display = ["legal_name", "bin", "in_house", "phone", "email"]
    search_fields = ["legal_name", "bin"]


@admin.register(models.ContractorMember)
class ContractorMemberAdmin(SimpleHistoryAdmin):
    list_display = ["user", "contractor"]


@admin.register(models.Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["number", "contractor", "department", "signed_on", "amount_kzt", "ends_on"]
    filter_horizontal = ["districts", "categories"]


@admin.register(models.WorkOrder)
class WorkOrderAdmin(SimpleHistoryAdmin):
    list_display = ["id", "case", "contractor", "status", "issued_at", "due_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Evidence and claims are written by services as things happen; the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.PhotoCheck)
class PhotoCheckAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "case",
        "kind",
        "taken_at",
        "distance_m",
        "taken_before_order",
        "far_from_site",
        "same_as_before",
    ]
    list_filter = ["kind", "taken_before_order", "far_from_site", "same_as_before"]


@admin.register(models.PhotoReuse)
class PhotoReuseAdmin(ReadOnlyAdmin):
    list_display = ["id", "photo", "earlier", "bits_apart", "found_at"]


@admin.register(models.WarrantyClaim)
class WarrantyClaimAdmin(ReadOnlyAdmin):
    list_display = ["case", "original_case", "contractor", "verified_by", "distance_m", "opened_at"]
    list_filter = ["contractor"]
