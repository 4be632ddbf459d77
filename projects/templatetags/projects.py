"""`{% case_projects case %}`: the projects a complaint is linked to, on the staff case page (one
query; the workflows app loads this tag library, it does not import projects)."""

from django import template

from projects.selectors import projects_of_case

register = template.Library()


@register.inclusion_tag("projects/_case_projects.html")
def case_projects(case):
    return {"projects": list(projects_of_case(case))}
