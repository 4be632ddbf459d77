"""The staff application's kinds of in-app notice: a new task in a queue, a case redirected to
another department, an escalation. Each is written beside its e-mail (`workflows.notifications`)
and read here, in the reader's language, when the notices page or the bell shows it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from casework.models import EscalationLevel, StaffNotice
from casework.staff_notices import notice_kind_register
from workflows.flows import CaseFlow

TASK = "task_new"
REDIRECTED = "case_redirected"
ESCALATION = "escalation"
MENTION = "mention"


def _step_title(step: str) -> str:
    node = CaseFlow.instance.node(step) if step else None
    return str(node.task_title) if node is not None else step


def _task_link(notice: StaffNotice) -> str:
    return reverse("workflows:task", args=[notice.params["task"]])


def _case_link(notice: StaffNotice) -> str:
    return reverse("workflows:case", args=[notice.case_id])


def _task_text(notice: StaffNotice) -> str:
    return _("New task “%(step)s”: %(code)s, %(category)s") % {
        "step": _step_title(notice.params.get("step", "")),
        "code": notice.case.tracking_code,
        "category": notice.case.category.name,
    }


def _redirected_text(notice: StaffNotice) -> str:
    return _("Case %(code)s (%(category)s) was redirected to your department: %(reason)s") % {
        "code": notice.case.tracking_code,
        "category": notice.case.category.name,
        "reason": notice.params.get("reason", ""),
    }


def _escalation_text(notice: StaffNotice) -> str:
    level = EscalationLevel(notice.params["level"])
    return _("Escalation, level %(level)d: %(code)s, %(category)s. %(meaning)s") % {
        "level": level.value,
        "code": notice.case.tracking_code,
        "category": notice.case.category.name,
        "meaning": level.label,
    }


def _mention_text(notice: StaffNotice) -> str:
    return _("%(name)s mentioned you on case %(code)s (%(category)s)") % {
        "name": notice.params.get("author", ""),
        "code": notice.case.tracking_code,
        "category": notice.case.category.name,
    }


def _comment_link(notice: StaffNotice) -> str:
    return reverse("workflows:case", args=[notice.case_id]) + f"#event-{notice.params['event']}"


notice_kind_register(TASK, text=_task_text, link=_task_link)
notice_kind_register(REDIRECTED, text=_redirected_text, link=_task_link)
notice_kind_register(ESCALATION, text=_escalation_text, link=_case_link)
notice_kind_register(MENTION, text=_mention_text, link=_comment_link)
