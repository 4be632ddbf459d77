"""Projects: public pages (/projects/), staff pages (/staff/projects/), public JSON
(/api/public/projects/)."""

public_urlpatterns: list = []
staff_urlpatterns: list = []
api_urlpatterns: list = []
