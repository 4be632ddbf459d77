"""Projects: public pages (/projects/), staff pages (/staff/projects/), public JSON
(/api/public/projects/), open data (`open_data_urlpatterns`, to be mounted at /open-data/)."""

from django.urls import path

from projects import views_public_extras as visit_views
from projects.views import moderation, open_data, public, staff

public_urlpatterns: list = [
    path("", public.project_list, name="list"),
    path("<slug:code>/", public.project_detail, name="detail"),
    path("<slug:code>/documents/<int:pk>/", public.document_download, name="document"),
    path("<slug:code>/photos/<int:pk>/", public.progress_photo, name="photo"),
]
staff_urlpatterns: list = [
    path("", staff.project_list, name="list"),
    path("new/", staff.project_new, name="new"),
    path("export.csv", staff.csv_export, name="export"),
    path("import/", staff.csv_import, name="import"),
    path("comments/", moderation.queue, name="comments"),
    path("comments/<int:pk>/moderate/", moderation.comment_moderate, name="comment_moderate"),
    path("comments/<int:pk>/reply/", moderation.comment_reply, name="comment_reply"),
    path("<slug:code>/", staff.project_edit, name="edit"),
    path("<slug:code>/milestones/", staff.milestone_add, name="milestone_add"),
    path("<slug:code>/milestones/<int:pk>/", staff.milestone_edit, name="milestone_edit"),
    path("<slug:code>/progress/", staff.progress_add, name="progress_add"),
    path("<slug:code>/documents/", staff.document_upload, name="document_add"),
]
api_urlpatterns: list = [
    path("", public.project_geojson, name="list"),
]
# To be mounted at /open-data/ (the portal owns that prefix): names open_data:projects_oc4ids,
# open_data:projects_csv.
open_data_urlpatterns: list = [
    path("projects.oc4ids.json", open_data.projects_oc4ids, name="projects_oc4ids"),
    path("projects.csv", open_data.projects_csv_download, name="projects_csv"),
]

# The online visit (cameras, comments, follows); the project page embeds
# templates/projects/_camera.html and _comments.html.
public_urlpatterns += [
    path("<slug:code>/visit/", visit_views.visit, name="visit"),
    path(
        "<slug:code>/snapshots/<int:snapshot_id>/",
        visit_views.snapshot_image,
        name="snapshot",
    ),
    path("<slug:code>/visit/email/", visit_views.email_code, name="email_code"),
    path("<slug:code>/visit/confirm/", visit_views.email_confirm, name="email_confirm"),
    path("<slug:code>/visit/chat/", visit_views.chat_code, name="chat_code"),
    path("<slug:code>/visit/chat/status/", visit_views.chat_code_status, name="chat_code_status"),
    path("<slug:code>/visit/chat/confirm/", visit_views.chat_confirm, name="chat_confirm"),
    path("<slug:code>/visit/comment/", visit_views.comment_new, name="comment_new"),
    path("<slug:code>/visit/follow/", visit_views.follow, name="follow"),
    path(
        "<slug:code>/comments/<int:comment_id>/moderate/",
        visit_views.comment_moderate,
        name="comment_moderate",
    ),
    path(
        "<slug:code>/comments/<int:comment_id>/reply/",
        visit_views.comment_reply,
        name="comment_reply",
    ),
    path("unfollow/<str:token>/", visit_views.unfollow, name="unfollow"),
]
