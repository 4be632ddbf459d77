"""Notifications: e-mail to staff (a new task in their queue, escalations, a daily digest of
overdue tasks) and a status message to the citizen on the channel they used.

All of them are outbox jobs, written in the transaction of the change that causes them and run
after commit; with Redis down they wait for the relay. A notice first fans out to one `staff_mail`
job per recipient, and each of those sends exactly one e-mail: a job that runs twice finds itself
done, and a failed send is retried without mailing those already reached again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow.workflow import STATUS

from casework import clock, deadlines, notices, outbox, roles
from casework.comments import COMMENT_TOPIC
from casework.models import Case, CaseEvent, Escalation, EscalationLevel
from casework.staff_notices import staff_notices_send
from contractors.selectors import current_work_order
from workflows import notice_kinds, queues
from workflows.models import StaffPreference
from workflows.recipients import Recipient, escalation_recipients, queue_members

log = logging.getLogger(__name__)
User = get_user_model()

CASE_EVENT_TOPIC = "case.event"
# Case events the citizen hears about: every change of state after the complaint was received.
CITIZEN_ACTIONS = frozenset(
    {"assign", "notify_contractor", "report_repaired", "return_for_rework", "verify", "reject",
     "reopen", "review_start", "refer", "answer"}
)  # fmt: skip


def user_language(user_id: int | None) -> str:
    if user_id is None:
        return settings.LANGUAGE_CODE
    preference = StaffPreference.objects.filter(user_id=user_id).first()
    return preference.language if preference else settings.LANGUAGE_CODE


def case_url(case_id: int) -> str:
    return settings.SITE_URL + reverse("workflows:case", args=[case_id])


def task_url(task_id: int) -> str:
    return settings.SITE_URL + reverse("workflows:task", args=[task_id])


def _mail_jobs(template: str, ref: str, recipients: list[Recipient], context: dict) -> int:
    count = 0
    for recipient in recipients:
        job = outbox.enqueue(
            "staff_mail",
            {
                "template": template,
                "to": recipient.email,
                "user": recipient.user_id,
                **context,
            },
            dedupe_key=f"staff_mail:{template}:{ref}:{recipient.email.lower()}",
        )
        count += job is not None
    return count


# --- a new task in a queue -------------------------------------------------------------------


def task_created_notice(task) -> None:
    """Called by the flow inside the transaction that creates the task."""
    outbox.enqueue(
        "staff_task_created", {"task": task.pk}, dedupe_key=f"staff_task_created:{task.pk}"
    )


@outbox.handler("staff_task_created")
def staff_task_created(payload: dict) -> None:
    task = queues.task_for(payload["task"])
    if task is None or task.status != STATUS.NEW or task.owner_id is not None:
        log.info("task %s was taken before its notice went out", payload["task"])
        return
    if task.owner_permission == roles.CONTRACTOR:
        # Contractors work in their portal: the work order's own notice (contractors.notices),
        # issued or returned, is the one they get, linking there.
        return
    # The bell tells everyone in the queue; the e-mail goes to those with an address.
    members = queue_members(task, with_email=False)
    _task_notices(task, members)
    recipients = [Recipient(user.email, user.pk) for user in members if user.email]
    _mail_jobs("task_created", f"task{task.pk}", recipients, {"task": task.pk})


def _task_notices(task, members: list) -> None:
    """The bell beside the e-mail: a new task, or a case another department sent over."""
    case = queues.task_case(task)
    step = task.flow_task.name
    kind, params = notice_kinds.TASK, {"task": task.pk, "step": step}
    if step == "plan_repair":
        # The task is still new, so the case's latest routing (or reopening) is what made it.
        routed = (
            CaseEvent.objects.filter(case=case, action__in=("assign", "reopen"))
            .order_by("-seq")
            .first()
        )
        if routed is not None and routed.payload.get("reroute"):
            kind = notice_kinds.REDIRECTED
            params = {**params, "event": routed.pk, "reason": routed.reason}
    staff_notices_send(members, kind=kind, case=case, key=f"task:{task.pk}", params=params)


# --- escalations -------------------------------------------------------------------------------


@outbox.handler("staff_escalation", topics=(CASE_EVENT_TOPIC,))
def staff_escalation(payload: dict) -> None:
    if payload.get("action") != "escalate":
        return
    event = CaseEvent.objects.select_related("case").get(pk=payload["event"])
    case = Case.objects.select_related("district__akim", "department__head", "category").get(
        pk=event.case_id
    )
    level = event.payload["level"]
    task = queues.active_task_of(case)
    recipients = escalation_recipients(case, level, task)
    if level == EscalationLevel.REMINDER and task and task.owner_permission == roles.CONTRACTOR:
        _contractor_reminder(case, event)
        return
    if not recipients:
        log.warning("escalation %s of %s (level %s) reaches nobody", event.pk, case, level)
    told = User.objects.filter(pk__in=[r.user_id for r in recipients if r.user_id is not None])
    staff_notices_send(
        told,
        kind=notice_kinds.ESCALATION,
        case=case,
        key=f"escalation:{event.pk}",
        params={"level": int(level), "event": event.pk},
    )
    _mail_jobs("escalation", f"event{event.pk}", recipients, {"event": event.pk})


def _contractor_reminder(case: Case, event: CaseEvent) -> None:
    """A late repair: its contractor hears of it in the portal's terms, not with a staff link."""
    order = current_work_order(case)
    if order is None:
        log.warning("escalation %s of %s: no work order to remind of", event.pk, case)
        return
    outbox.enqueue(
        "contractor_work_order_notice",
        {"work_order": order.pk, "notice": "overdue", "event": event.pk},
        dedupe_key=f"contractor_work_order_notice:overdue:{event.pk}",
    )


# --- mentions in staff comments -----------------------------------------------------------------


def _comment_author(event: CaseEvent) -> str:
    actor = event.actor
    return (actor.get_full_name() or actor.username) if actor else ""


@outbox.handler("staff_mention", topics=(COMMENT_TOPIC,))
def staff_mention(payload: dict) -> None:
    """Those a comment mentions: a notice in the bell and an e-mail. Checked again here, since
    someone may have left the case's scope between the comment and this job."""
    event = CaseEvent.objects.select_related("actor").get(pk=payload["event"])
    case = Case.objects.select_related("category").get(pk=event.case_id)
    mentioned = list(User.objects.filter(pk__in=event.payload.get("mentions", []), is_active=True))
    author = _comment_author(event)
    told = set(
        staff_notices_send(
            mentioned,
            kind=notice_kinds.MENTION,
            case=case,
            key=f"mention:{event.pk}",
            params={"event": event.pk, "author": author},
        )
    )
    recipients = [Recipient(u.email, u.pk) for u in mentioned if u.pk in told and u.email]
    _mail_jobs("mention", f"event{event.pk}", recipients, {"event": event.pk})


# --- the citizen -------------------------------------------------------------------------------


@outbox.handler("citizen_status", topics=(CASE_EVENT_TOPIC,), queue=outbox.QUEUE_NOTIFY)
def citizen_status(payload: dict) -> None:
    """The citizen hears the state this event left the case in, even when the notice goes out
    after a later change (a retry, a queue behind): each notice names its own step."""
    if payload.get("action") not in CITIZEN_ACTIONS:
        return
    event = CaseEvent.objects.get(pk=payload["event"])
    if event.from_state == event.to_state:
        return  # a redirect between departments is not news for the citizen
    case = Case.objects.select_related("complainant").get(pk=event.case_id)
    text = notices.notice_text(case, event, "status")
    outcome = notices.citizen_send(case, text, state=event.to_state)
    log.info("citizen status for %s (%s): %s", case.tracking_code, event.action, outcome)


# --- the daily digest --------------------------------------------------------------------------


def overdue_tasks_for(user, now: dt.datetime):
    """Tasks overdue for `user`: those they hold, and those waiting in their queues."""
    due = "process__caseprocess__case__stage_due_at__lt"
    held = list(queues.inbox_tasks(user).filter(**{due: now}))
    waiting = list(queues.queue_tasks(user).filter(**{due: now})[:200])
    return held, waiting


def digest_queue(now: dt.datetime | None = None) -> int:
    """Queue today's digest for every staff member with something overdue (once a day each)."""
    now = now or clock.now()
    today = now.astimezone(deadlines.local_zone()).date().isoformat()
    # Not contractors: their overdue orders are in the portal, and the officials hear of them.
    staff = User.objects.filter(
        is_active=True,
        groups__name__in=[roles.CLERK, roles.OFFICER, roles.INSPECTOR, roles.INVESTIGATOR],
    ).exclude(email="")
    queued = 0
    for user in staff.distinct().order_by("pk"):
        held, waiting = overdue_tasks_for(user, now)
        if not held and not waiting:
            continue
        job = outbox.enqueue(
            "staff_mail",
            {"template": "digest", "to": user.email, "user": user.pk, "date": today},
            dedupe_key=f"staff_mail:digest:{today}:{user.pk}",
        )
        queued += job is not None
    return queued


# --- sending one e-mail ------------------------------------------------------------------------


def _render_task_created(payload: dict) -> tuple[str, dict] | None:
    task = queues.task_for(payload["task"])
    if task is None:
        return None
    case = queues.task_case(task)
    subject = _("New task: %(task)s, %(code)s") % {
        "task": task.flow_task.task_title,
        "code": case.tracking_code,
    }
    return subject, {"task": task, "case": case, "url": task_url(task.pk)}


def _render_escalation(payload: dict) -> tuple[str, dict] | None:
    event = CaseEvent.objects.filter(pk=payload["event"]).first()
    if event is None:
        return None
    case = Case.objects.select_related("district", "department", "category").get(pk=event.case_id)
    level = EscalationLevel(event.payload["level"])
    escalation = Escalation.objects.filter(pk=event.payload.get("escalation")).first()
    subject = _("Escalation, level %(level)d: %(code)s") % {
        "level": level.value,
        "code": case.tracking_code,
    }
    return subject, {
        "case": case,
        "level": level,
        "deadline": escalation.deadline_at if escalation else None,
        "task": queues.active_task_of(case),
        "url": case_url(case.pk),
    }


def _render_mention(payload: dict) -> tuple[str, dict] | None:
    event = CaseEvent.objects.select_related("actor").filter(pk=payload["event"]).first()
    if event is None:
        return None
    case = Case.objects.select_related("district", "category").get(pk=event.case_id)
    author = _comment_author(event)
    subject = _("%(name)s mentioned you on case %(code)s") % {
        "name": author,
        "code": case.tracking_code,
    }
    url = f"{case_url(case.pk)}#event-{event.pk}"
    return subject, {"case": case, "author": author, "comment": event.reason, "url": url}


def _render_digest(payload: dict) -> tuple[str, dict] | None:
    user = User.objects.filter(pk=payload["user"], is_active=True).first()
    if user is None:
        return None
    now = clock.now()
    held, waiting = overdue_tasks_for(user, now)
    if not held and not waiting:
        return None
    subject = _("Overdue tasks: %(count)d") % {"count": len(held) + len(waiting)}
    rows = [
        {
            "task": task,
            "case": queues.task_case(task),
            "url": task_url(task.pk),
            "late_days": max(
                0, deadlines.working_days_between(queues.task_case(task).stage_due_at, now)
            ),
        }
        for task in held + waiting
    ]
    return subject, {"user": user, "held": rows[: len(held)], "waiting": rows[len(held) :]}


_RENDERERS = {
    "task_created": _render_task_created,
    "escalation": _render_escalation,
    "digest": _render_digest,
    "mention": _render_mention,
}


@outbox.handler("staff_mail")
def staff_mail(payload: dict) -> None:
    renderer = _RENDERERS[payload["template"]]
    with translation.override(user_language(payload.get("user"))):
        rendered = renderer(payload)
        if rendered is None:
            log.info("staff mail %s to %s: nothing to say", payload["template"], payload["to"])
            return
        subject, context = rendered
        body = render_to_string(
            f"workflows/email/{payload['template']}.txt",
            {**context, "site_url": settings.SITE_URL, "now": timezone.now()},
        )
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[payload["to"]],
    ).send()
