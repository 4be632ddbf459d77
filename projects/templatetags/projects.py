"""`{% case_projects case %}`: the projects a complaint is linked to, on the staff case page (one
query; the workflows app loads this tag library, it does not import projects).
`{% projects_comments_waiting as n %}`: the comments waiting for the user to moderate, for the
staff menu (one count, capped at 100)."""

from django import template

from projects.comments import comments_waiting_count
from projects.selectors import projects_of_case

register = template.Library()


@register.inclusion_tag("projects/_case_projects.html")
def case_projects(case):
    return {"projects": list(projects_of_case(case))}


@register.simple_tag(takes_context=True)
def projects_comments_waiting(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return comments_waiting_count(user) if user is not None else 0
