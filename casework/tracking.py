"""Tracking codes: `REGION-YEAR-XXXXXXXXC`, eight random characters and a check character in
Crockford's base-32 alphabet (no I, L, O or U: nothing to misread or mishear on the phone).

Random, so that one code tells nothing about any other (40 bits: a guess finds a case about once
in a trillion tries, and /track/ allows thirty a quarter-hour); the check character refuses a
mistyped or misheard code before any lookup. Codes issued before were sequential
(`REGION-YEAR-000123`) and are still found as they are.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_CHARS = 8
_NEW_FORMAT = re.compile(r"[A-Z0-9]+-\d{4}-[0-9A-HJKMNP-TV-Z]{9}")  # RANDOM_CHARS + check
# What people type for the characters the alphabet leaves out.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _luhn_sum(body: str, first_factor: int) -> int:
    """Luhn mod 32: every second character from the right counts double (digits summed in
    base 32). Catches any single wrong character and most swaps of neighbours."""
    total, factor = 0, first_factor
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // len(ALPHABET) + addend % len(ALPHABET)
        factor = 3 - factor
    return total


def check_char(body: str) -> str:
    return ALPHABET[-_luhn_sum(body, 2) % len(ALPHABET)]


def tracking_code_new(region_code: str, year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return f"{region_code}-{year}-{body}{check_char(body)}"


def tracking_code_normal(code: str) -> str:
    """A code as people type it, made comparable: upper case, and in a new code's random part
    O read as 0 and I or L as 1."""
    code = (code or "").strip().upper()
    head, _, tail = code.rpartition("-")
    if head and len(tail) == RANDOM_CHARS + 1:
        code = f"{head}-{tail.translate(_READ_AS)}"
    return code


def tracking_code_plausible(code: str) -> bool:
    """False for a code of the new format whose check character does not match (a typo, or a
    guess); True for everything else, older sequential codes included."""
    if not _NEW_FORMAT.fullmatch(code):
        return True
    tail = code.rpartition("-")[2]
    return _luhn_sum(tail, 1) % len(ALPHABET) == 0
