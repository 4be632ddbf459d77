"""Open data of the projects registry: the OC4IDS project package and the CSV (its columns are
described in docs/projects-open-data.md). Meant to be mounted at /open-data/."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from projects.csv_io import projects_csv
from projects.models import Project
from projects.oc4ids import project_package

PUBLISHER = "Baqylau"


@require_GET
def projects_oc4ids(request):
    base = f"{request.scheme}://{request.get_host()}"
    package = project_package(
        Project.objects.all(), base, PUBLISHER, request.build_absolute_uri(request.path)
    )
    body = json.dumps(package, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def projects_csv_download(request):
    response = HttpResponse(
        projects_csv(Project.objects.all()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="projects.csv"'
    response["Cache-Control"] = "public, max-age=300"
    return response
