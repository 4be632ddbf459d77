"""The indicators, in the order the registry page lists them."""

from __future__ import annotations

from oversight.red_flags import (
    accepted_work_failed,
    affinity,
    contract_modified,
    deadline_extended,
    late_contractor,
    photo_evidence,
    rejected_reopened,
    rejection_near_deadline,
    rubber_stamp,
    splitting,
)
from oversight.red_flags.base import Indicator

INDICATORS: dict[str, Indicator] = {
    module.INDICATOR.code: module.INDICATOR
    for module in (
        accepted_work_failed,
        photo_evidence,
        rubber_stamp,
        affinity,
        late_contractor,
        splitting,
        contract_modified,
        rejected_reopened,
        rejection_near_deadline,
        deadline_extended,
    )
}


def indicator(code: str) -> Indicator | None:
    return INDICATORS.get(code)


def indicators_for_action(action: str) -> list[Indicator]:
    return [i for i in INDICATORS.values() if action in i.actions]


def indicators_for_contracts() -> list[Indicator]:
    return [i for i in INDICATORS.values() if i.on_contract_change]


# Every case event that some indicator is checked after.
ACTIONS = frozenset().union(*(i.actions for i in INDICATORS.values()))
