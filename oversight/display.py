"""People by name and post, never by id: one place for the staff pages, the dossier and the PDFs.

`name_and_post(who, on)` is "Full name, post" with the post held on the local day of `on`;
`event_actor(event)` names who took a case event, with the post recorded when it was a decision
(`DecisionAttribution`), or the post held that day otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from casework import roles
from casework.models import Case, CaseEvent
from oversight.models import AcceptanceAct, DecisionAttribution, Occupancy, Person
from oversight.selectors import acts_of_case, failures_of_act, person_of, post_held

User = get_user_model()


def _user_name(user) -> str:
    return user.get_full_name() or user.get_username()


def occupancy_text(person: Person, occupancy: Occupancy | None) -> str:
    if occupancy is None:
        return person.full_name
    return _("%(name)s, %(post)s") % {"name": person.full_name, "post": occupancy.position.title}


def name_and_post(who, on: dt.datetime | dt.date, *, role: str | None = None) -> str:
    """A user or a person as "Name, post held that day"; just the name when no post is on record."""
    if who is None:
        return ""
    if isinstance(who, int):
        who = User.objects.filter(pk=who).first()
        if who is None:
            return ""
    person = person_of(who)
    if person is None:
        return _user_name(who)
    return occupancy_text(person, post_held(person, on, role=role))


def event_actor(event: CaseEvent) -> str:
    """Who took `event`, by name and post at that moment (empty for the citizen or the system)."""
    if event.actor_id is None:
        return ""
    attribution = (
        DecisionAttribution.objects.filter(event_id=event.pk)
        .select_related("person", "occupancy__position")
        .first()
    )
    if attribution is not None:
        return occupancy_text(attribution.person, attribution.occupancy)
    return name_and_post(event.actor, event.created_at, role=event.role)


def acts_for_viewer(case: Case, viewer) -> list[dict[str, Any]]:
    """The case's acceptance acts as a staff member may read them. A contractor sees what the act
    says about their work (number, date, quantity, amount, hash, whether it was corrected), never
    the failures found since nor who signed for the customer in which post."""
    contractor_view = roles.CONTRACTOR in roles.user_roles(viewer) and not viewer.is_superuser
    rows = []
    for act in acts_of_case(case):
        row: dict[str, Any] = {
            "act": act,
            "number": act.number,
            "signed_on": act.signed_on,
            "quantity": act.quantity.normalize(),
            "unit": act.get_unit_display(),
            "amount_kzt": act.amount_kzt,
            "contract": act.contract.number,
            "sha256": act.content_sha256,
            "superseded": hasattr(act, "superseded_by"),
            "supersedes": act.supersedes.number if act.supersedes_id else "",
            "correction_reason": act.correction_reason,
        }
        if not contractor_view:
            # (role, "Name, post that day", person id for a link to the official's page)
            row["signatories"] = [
                (s.get_role_display(), occupancy_text(s.person, s.occupancy), s.person_id)
                for s in act.signatories.all()
            ]
            row["failures"] = [
                {"kind": f.get_kind_display(), "case": f.case, "when": f.detected_at}
                for f in failures_of_act(act)
            ]
        rows.append(row)
    return rows


def act_signers_text(act: AcceptanceAct) -> str:
    return "; ".join(
        f"{s.get_role_display()}: {occupancy_text(s.person, s.occupancy)}"
        for s in act.signatories.select_related("person", "occupancy__position")
    )
