"""Keep work orders in step with their case's lifecycle, and link warranty claims on opening:
casework sends `case_changed` inside each service's transaction; the writes are this app's
services'."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from casework.signals import case_changed
from contractors.models import Contract
from contractors.services import work_order_follow_case
from contractors.topics import contract_changed
from contractors.warranty import warranty_claim_link


@receiver(case_changed, dispatch_uid="contractors.work_order_follow_case")
def _work_order_follow_case(sender, case, event, transition, **kwargs) -> None:
    work_order_follow_case(case, event=event, transition=transition)


@receiver(case_changed, dispatch_uid="contractors.warranty_claim_on_open")
def _warranty_claim_on_open(sender, case, event, transition, **kwargs) -> None:
    if transition == "open":
        warranty_claim_link(case, opened_at=event.created_at)


@receiver(post_save, sender=Contract, dispatch_uid="contractors.contract_changed")
def _contract_changed(sender, instance: Contract, created: bool, **kwargs) -> None:
    # Signed (stored) or changed by `contract_modify`: apps above subscribe to the topic.
    if kwargs.get("raw"):
        return
    contract_changed(instance.pk, "signed" if created else "saved")
