from functools import cached_property

from django.conf import settings
from django.urls import reverse

from casework.roles import CONTRACTOR, ROLE_LABELS, user_roles
from casework.staff_notices import staff_notices_unread


class NoticeBell:
    """The bell in the header: counted only when a page shows it, once per page."""

    def __init__(self, user, portal_only: bool):
        self.user = user
        self.url = reverse("contractors:notices" if portal_only else "workflows:notices")

    @cached_property
    def unread(self) -> int:
        return staff_notices_unread(self.user)


def baqylau(request) -> dict:
    """What every page's layout needs: the user's roles (for menus), the notice bell and map
    settings."""
    user = getattr(request, "user", None)
    roles = user_roles(user)
    portal_only = roles == {CONTRACTOR}
    staff = bool(roles) or getattr(user, "is_superuser", False)
    return {
        "notice_bell": NoticeBell(user, portal_only) if staff else None,
        "staff_roles": roles,
        "staff_role_labels": [ROLE_LABELS[r] for r in ROLE_LABELS if r in roles],
        # A contractor's people work in their portal: the staff menu offers them nothing else.
        "portal_only": portal_only,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_ATTRIBUTION,
    }
