"""Projects: public pages (/projects/), staff pages (/staff/projects/), public JSON
(/api/public/projects/)."""

public_urlpatterns: list = []
staff_urlpatterns: list = []
api_urlpatterns: list = []

# projcams: the online visit (cameras, comments, follows); the full project page embeds
# templates/projects/_camera.html and _comments.html.
from django.urls import path  # noqa: E402

from projects import views_public_extras as visit_views  # noqa: E402

public_urlpatterns += [
    path("<slug:code>/visit/", visit_views.visit, name="visit"),
    path(
        "<slug:code>/snapshots/<int:snapshot_id>/",
        visit_views.snapshot_image,
        name="snapshot",
    ),
    path("<slug:code>/visit/email/", visit_views.email_code, name="email_code"),
    path("<slug:code>/visit/confirm/", visit_views.email_confirm, name="email_confirm"),
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
