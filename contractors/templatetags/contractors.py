from django import template

from contractors.selectors import case_evidence_flags

register = template.Library()


@register.inclusion_tag("contractors/_evidence_flags.html")
def evidence_flags(case) -> dict:
    """{% evidence_flags case %}: the repair-evidence flags of a case, for the inspector."""
    return {"evidence_flags": case_evidence_flags(case)}
