from django.conf import settings

from casework.roles import CONTRACTOR, ROLE_LABELS, user_roles


def baqylau(request) -> dict:
    """What every page's layout needs: the user's roles (for menus) and map settings."""
    roles = user_roles(getattr(request, "user", None))
    return {
        "staff_roles": roles,
        "staff_role_labels": [ROLE_LABELS[r] for r in ROLE_LABELS if r in roles],
        # A contractor's people work in their portal: the staff menu offers them nothing else.
        "portal_only": roles == {CONTRACTOR},
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_ATTRIBUTION,
    }
