"""System checks that keep the lifecycle table, the model and the roles in agreement."""

from django.core import checks

from casework.models import Case
from casework.roles import TRANSITION_ROLES
from casework.states import TRANSITION_NAMES, legal_pairs


@checks.register()
def lifecycle_consistent(app_configs, **kwargs):
    errors = []
    field = Case._meta.get_field("state")
    model_pairs = set()
    for transition in field.get_all_transitions(Case):
        model_pairs.add((str(transition.source), str(transition.target)))
    if model_pairs != legal_pairs():
        errors.append(
            checks.Error(
                "Case transitions differ from casework.states.TRANSITIONS",
                hint=f"model: {sorted(model_pairs)}",
                id="casework.E001",
            )
        )
    for name in TRANSITION_NAMES:
        if name not in TRANSITION_ROLES:
            errors.append(checks.Error(f"No roles for transition {name}", id="casework.E002"))
    return errors
