"""Cameras in the admin (registered from ProjectsConfig.ready, beside whatever projects/admin.py
registers): the URLs are checked against the allow-list (Camera.clean); health is read-only."""

from django.contrib import admin

from projects.models import Camera


class CameraAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "interval_minutes", "active", "offline", "last_ok_at")
    list_filter = ("active", "offline")
    search_fields = ("name", "project__code")
    raw_id_fields = ("project",)
    readonly_fields = ("failures_in_row", "offline", "last_ok_at", "last_error")


if not admin.site.is_registered(Camera):
    admin.site.register(Camera, CameraAdmin)
