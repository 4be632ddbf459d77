"""Possible duplicates shown at triage. The matcher belongs to intake (`casework.duplicates`,
to come); until it exists, triage simply shows none.

Expected interface: `casework.duplicates.possible_duplicates(case) -> iterable of Case`.
"""

from __future__ import annotations

import importlib
import logging

from casework.models import Case
from casework.selectors import cases_visible_to

log = logging.getLogger(__name__)
LIMIT = 5


def suggestions(case: Case, user) -> list[Case]:
    try:
        matcher = importlib.import_module("casework.duplicates")
    except ModuleNotFoundError:
        return []
    find = getattr(matcher, "possible_duplicates", None)
    if find is None:
        return []
    try:
        found = [c.pk for c in list(find(case))[: LIMIT * 2]]
    except Exception:
        log.exception("duplicate suggestions failed for %s", case)
        return []
    visible = cases_visible_to(user).filter(pk__in=found).exclude(pk=case.pk)
    by_pk = {c.pk: c for c in visible}
    return [by_pk[pk] for pk in found if pk in by_pk][:LIMIT]
