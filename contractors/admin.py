from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contractors import models, services


@admin.register(models.Contractor)
class ContractorAdmin(SimpleHistoryAdmin):
    list_display = ["legal_name", "bin", "in_house", "phone", "email"]
    search_fields = ["legal_name", "bin"]


@admin.register(models.ContractorMember)
class ContractorMemberAdmin(SimpleHistoryAdmin):
    list_display = ["user", "contractor"]


class ContractModificationInline(admin.TabularInline):
    model = models.ContractModification
    extra = 0
    can_delete = False
    fields = [
        "modified_on",
        "old_amount_kzt",
        "new_amount_kzt",
        "old_ends_on",
        "new_ends_on",
        "reason",
        "recorded_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["number", "contractor", "department", "signed_on", "amount_kzt", "ends_on"]
    filter_horizontal = ["districts", "categories"]
    inlines = [ContractModificationInline]

    def get_readonly_fields(self, request, obj=None):
        # A signed contract's amount and period change only through a recorded modification.
        return ["amount_kzt", "ends_on"] if obj is not None else []


class ContractModificationForm(forms.ModelForm):
    """The form collects the new terms; `contract_modify` takes the old ones from the contract."""

    class Meta:
        model = models.ContractModification
        fields = ["contract", "new_amount_kzt", "new_ends_on", "modified_on", "reason"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # Field errors from the service (each key is a field of this form) show beside the field.
        self.instance = services.contract_modify(
            data["contract"],
            actor=self.request.user,
            new_amount_kzt=data["new_amount_kzt"],
            new_ends_on=data["new_ends_on"],
            modified_on=data["modified_on"],
            reason=data["reason"],
        )
        return data


@admin.register(models.ContractModification)
class ContractModificationAdmin(admin.ModelAdmin):
    """Adding a modification here records it and changes the contract (`contract_modify`);
    recorded modifications are never edited."""

    form = ContractModificationForm
    list_display = [
        "contract",
        "modified_on",
        "old_amount_kzt",
        "new_amount_kzt",
        "old_ends_on",
        "new_ends_on",
        "recorded_by",
    ]
    list_select_related = ["contract", "contract__contractor", "recorded_by"]
    search_fields = ["contract__number", "contract__contractor__legal_name"]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class WithRequest(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return WithRequest

    def save_model(self, request, obj, form, change):
        pass  # `contract_modify` saved it while the form was validated

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


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
