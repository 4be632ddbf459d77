"""Text made safe for XML 1.0, whose grammar forbids most control characters outright.

An escaping serializer (ElementTree, Django's `escape`) escapes `<` and `&` but writes a `\\x08` as
it is, and one such character makes the whole document unreadable to every XML parser. What
citizens type can hold them (pasted text, old phones), so every XML output passes its text
through `xml_text` first. JSON and HTML carry them harmlessly and keep them.
"""

from __future__ import annotations

import re

# XML 1.0 production 2, Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-
# #x10FFFF]; everything else is forbidden.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` without the characters XML 1.0 forbids (C0 controls other than tab, line feed
    and carriage return; lone surrogates; U+FFFE and U+FFFF)."""
    return _FORBIDDEN.sub("", value)
