"""Recompute the complaints linked to each project (or one, by code)."""

from django.core.management.base import BaseCommand, CommandError

from projects.linking import project_link_cases
from projects.models import Project


class Command(BaseCommand):
    help = "Link complaints to the projects whose place and time they fall in."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Only the project with this code.")

    def handle(self, *args, project=None, **options):
        projects = Project.objects.order_by("pk")
        if project:
            projects = projects.filter(code=project)
            if not projects.exists():
                raise CommandError(f"No project with code {project!r}.")
        added = removed = 0
        for item in projects.iterator():
            a, r = project_link_cases(item)
            added, removed = added + a, removed + r
        self.stdout.write(f"{added} links added, {removed} removed.")
