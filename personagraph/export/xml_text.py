"""Text that XML 1.0 can hold: the characters it forbids are dropped, and escaping for element content.

XML 1.0 (section 2.2, ``Char``) allows #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD and
#x10000-#x10FFFF, nothing else, not even as a character reference. Persona texts scraped from the
web hold the odd ESC or NUL; before this, a graph export with one was ill-formed XML that networkx
(and every other parser) refused to read back.
"""

from __future__ import annotations

import re
from typing import Any

FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Element content: & and < must be escaped, > is escaped for "]]>"; \r is written as a reference
# because a parser turns a literal \r (or \r\n) into \n (XML 1.0 section 2.11).
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", '"': "&quot;"}
_SPECIAL = re.compile('[&<>\r"]')


def xml_clean(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return FORBIDDEN.sub("", text)


def xml_escape(text: str) -> str:
    """Cleaned and escaped for element content or a double-quoted attribute."""
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group()], xml_clean(text))


def xml_safe(value: Any) -> Any:
    """Strings cleaned, inside lists and dicts too; other values as they are (for networkx writers)."""
    if isinstance(value, str):
        return xml_clean(value)
    if isinstance(value, list):
        return [xml_safe(item) for item in value]
    if isinstance(value, dict):
        return {xml_safe(key): xml_safe(item) for key, item in value.items()}
    return value
