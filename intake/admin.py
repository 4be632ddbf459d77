from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from intake.models import DistrictArea, InboundMessage, Open311Client, SenderReveal, StaffChat
from intake.selectors import inbound_messages_visible_to
from intake.services import sender_reveal


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

    def get_queryset(self, request):
        # A clerk with admin access sees their own region's messages, as on /intake/errors/.
        messages = super().get_queryset(request)
        if request.user.is_superuser:
            return messages
        return messages.filter(pk__in=inbound_messages_visible_to(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in self.model._meta.fields if f.name != "raw_body"]
        return [*fields, "sender_and_body"]

    @admin.display(description=_("sender and raw message"))
    def sender_and_body(self, obj) -> str:
        # Shown only through a reveal with a reason, which is kept (SenderReveal).
        url = reverse("admin:intake_inboundmessage_reveal", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Reveal (the reason is logged)"))

    def get_urls(self):
        reveal = self.admin_site.admin_view(self.reveal_view)
        return [
            path("<int:pk>/reveal/", reveal, name="intake_inboundmessage_reveal"),
            *super().get_urls(),
        ]

    def reveal_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = self.get_queryset(request).filter(pk=pk).first()
        if message is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": message,
            "title": _("Reveal the sender"),
            "reason": "",
        }
        status = 200
        if request.method == "POST":
            context["reason"] = request.POST.get("reason", "")
            try:
                context["revealed"] = sender_reveal(
                    message.pk, actor=request.user, reason=context["reason"]
                )
            except PermissionDenied as error:
                context["error"], status = str(error), 403
            except ValidationError as error:
                context["error"], status = " ".join(error.messages), 400
        return TemplateResponse(
            request, "admin/intake/inboundmessage/reveal.html", context, status=status
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SenderReveal)
class SenderRevealAdmin(admin.ModelAdmin):
    """Who revealed which chat sender, and why. Kept as written."""

    list_display = ("at", "actor", "message", "reason")
    list_select_related = ("actor", "message")
    readonly_fields = ("at", "actor", "message", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
