"""The public answer to "was anyone held to account?", for the citizen's tracking page.

For the repairs a case was accepted on, and the earlier repairs it reported failing: accepted by
<post> on <date> → failed on <date> → inquiry opened on <date> → outcome on <date>. Only as far
as the investigator marked it publishable: an inquiry appears only when its outcome may be
published, a sanction only when it was imposed and marked publishable. Posts, never names; no
party, reporter or witness of an inquiry ever appears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from casework.models import Case
from oversight.models import (
    AcceptanceAct,
    AcceptanceActSignatory,
    AcceptedWorkFailure,
    Inquiry,
    InquirySubject,
    Sanction,
)
from oversight.selectors import local_day


@dataclass(frozen=True)
class PublicStep:
    kind: str  # accepted, failed, inquiry_opened, inquiry_closed, sanction
    on: dt.date
    text: str


def _accepted_by(act: AcceptanceAct) -> str:
    signatory = (
        AcceptanceActSignatory.objects.filter(act=act, role=AcceptanceActSignatory.Role.INSPECTOR)
        .select_related("position")
        .first()
    )
    if signatory is not None and signatory.position is not None:
        return signatory.position.title
    return _("an inspector")


def _acts_concerning(case: Case) -> list[AcceptanceAct]:
    """The acts signed on this case and those whose work this case reported failing; a corrected
    act stands for the one it superseded."""
    failed_here = AcceptedWorkFailure.objects.filter(case=case).values("act_id")
    acts = (
        AcceptanceAct.objects.filter(Q(case=case) | Q(pk__in=failed_here))
        .filter(superseded_by__isnull=True)
        .order_by("signed_at", "id")
    )
    return list(acts)


def _published_inquiries(act: AcceptanceAct) -> list[Inquiry]:
    about = InquirySubject.objects.filter(
        Q(act=act) | Q(case_id=act.case_id) | Q(act__supersedes=act)
    ).values("inquiry_id")
    return list(Inquiry.objects.filter(pk__in=about, publishable=True).order_by("opened_at", "id"))


def case_accountability_story(case: Case) -> list[list[PublicStep]]:
    """One chain of steps per accepted repair that concerns `case`, oldest first; empty when
    there is nothing public to tell."""
    stories = []
    for act in _acts_concerning(case):
        steps = [
            PublicStep(
                "accepted",
                act.signed_on,
                _("Accepted by %(post)s") % {"post": _accepted_by(act)},
            )
        ]
        for failure in AcceptedWorkFailure.objects.filter(act=act).order_by("detected_at", "id"):
            steps.append(
                PublicStep(
                    "failed",
                    local_day(failure.detected_at),
                    _("The accepted work failed: %(kind)s") % {"kind": failure.get_kind_display()},
                )
            )
        for inquiry in _published_inquiries(act):
            steps.append(
                PublicStep(
                    "inquiry_opened",
                    local_day(inquiry.opened_at),
                    _("The anti-corruption department opened inquiry %(number)s")
                    % {"number": inquiry.number},
                )
            )
            sanctions = Sanction.objects.filter(
                inquiry=inquiry, publishable=True, status=Sanction.Status.IMPOSED
            ).order_by("order_date", "id")
            for sanction in sanctions:
                steps.append(
                    PublicStep(
                        "sanction",
                        sanction.order_date,
                        _("Outcome: %(sanction)s (order %(order)s)")
                        % {"sanction": sanction.get_kind_display(), "order": sanction.order_number},
                    )
                )
            if inquiry.status == Inquiry.Status.CLOSED and inquiry.outcome:
                steps.append(
                    PublicStep(
                        "inquiry_closed",
                        local_day(inquiry.closed_at),
                        _("Inquiry closed: %(outcome)s")
                        % {"outcome": inquiry.get_outcome_display()},
                    )
                )
        stories.append(steps)
    return stories if any(len(steps) > 1 for steps in stories) else []
