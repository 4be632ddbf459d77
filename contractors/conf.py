"""The contractors app's own settings, read from the environment (see README.md)."""

from __future__ import annotations

import os


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


# A new complaint this close to a repair still under warranty is a warranty claim against it.
WARRANTY_RADIUS_M = _float("WARRANTY_RADIUS_M", 30.0)
# A repair photo taken farther than this from the case's point is flagged for the inspector.
EVIDENCE_MAX_DISTANCE_M = _float("EVIDENCE_MAX_DISTANCE_M", 100.0)
# Camera clocks drift: a photo up to this many minutes "before" the order is not flagged.
EVIDENCE_CLOCK_TOLERANCE_MIN = _float("EVIDENCE_CLOCK_TOLERANCE_MIN", 10.0)
# Two photos whose perceptual hashes differ in at most this many bits are the same picture.
# At most 3: the lookup finds candidates through four exact 16-bit parts (pigeonhole).
PHOTO_REUSE_MAX_BITS = min(3, int(_float("PHOTO_REUSE_MAX_BITS", 3)))
# Working days a contractor has to acknowledge a work order before it escalates.
ACKNOWLEDGE_WORKING_DAYS = int(_float("ACKNOWLEDGE_WORKING_DAYS", 1))
