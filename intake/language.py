"""Which language a citizen wrote in: Kazakh or Russian (the two we answer in)."""

from __future__ import annotations

import re

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Everyday Kazakh words written with no Kazakh-only letter.
KAZAKH_WORDS = frozenset({"жол", "жолда", "жолы", "мен", "жатыр", "тұр", "бар", "алдында"})
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
WORD = re.compile(r"\w+", re.UNICODE)
SUPPORTED = ("kk", "ru")


def language_of(text: str) -> str | None:
    """'kk', 'ru', or None when the text tells nothing (digits, emoji, Latin)."""
    if not text:
        return None
    if any(char in KAZAKH_LETTERS for char in text):
        return "kk"
    if not CYRILLIC.search(text):
        return None
    words = {w.lower() for w in WORD.findall(text)}
    return "kk" if words & KAZAKH_WORDS else "ru"


def supported(code: str | None) -> str | None:
    code = (code or "").lower()[:2]
    return code if code in SUPPORTED else None
