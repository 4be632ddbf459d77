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
