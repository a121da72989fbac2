"""Secrets out of every message and file we write: passwords in URLs, API keys, Authorization headers.

Two nets, because neither catches everything alone:
- known values: every ``config.Secret`` made in this process (the store password, the API key) is
  remembered here and replaced wherever it appears, whatever surrounds it;
- shapes: a URL's ``user:password@``, ``Bearer <token>``, an ``Authorization:`` header, ``sk-…`` style
  keys and ``api_key=…`` pairs, for secrets this process never held (a server echoing another's key).

``redact`` runs on every error line the CLI prints and on every LLM error and failure record the
client keeps; ``redact_url`` shows a URL (store, endpoint) with its password replaced.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
# Shorter known values are not masked: replacing every "ab" in a message would make it unreadable,
# and a two-character password is not a secret worth the damage.
_MIN_KNOWN = 4

_known: set[str] = set()
_known_lock = threading.Lock()

_SHAPES = [
    # scheme://user:password@host  ->  scheme://user:***@host
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"), rf"\g<1>{MASK}@"),
    # scheme://token@host (a key as the whole userinfo)
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]{8,}@"), rf"\g<1>{MASK}@"),
    (re.compile(r"(?i)\b(authorization\b[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?[^\s\"',;}]+"), None),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), rf"\g<1> {MASK}"),
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}"), rf"\g<1>-{MASK}"),
    # key=value in URLs and logs, "api_key": "value" in JSON; not "password: must be set" (a message)
    (
        re.compile(r"(?i)\b((?:api[_-]?key|access[_-]?token|secret|password|passwd)\s*=\s*)[^\s\"'&,;}]+"),
        rf"\g<1>{MASK}",
    ),
    (
        re.compile(r"(?i)(\"(?:api[_-]?key|access[_-]?token|secret|password|authorization)\"\s*:\s*\")[^\"]+"),
        rf"\g<1>{MASK}",
    ),
]


def remember(value: str) -> None:
    """Mask ``value`` in everything ``redact`` sees from now on (``config.Secret`` calls this)."""
    if len(value) >= _MIN_KNOWN:
        with _known_lock:
            _known.add(value)


def _authorization(match: re.Match[str]) -> str:
    scheme = match.group(2)
    return f"{match.group(1)}{scheme + ' ' if scheme else ''}{MASK}"


def redact(text: str) -> str:
    """``text`` with known secrets and anything shaped like a credential replaced by ``***``."""
    if not text:
        return text
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)  # longest first: a key that contains another
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement if replacement is not None else _authorization, text)
    return text


def url_credentials(url: str) -> bool:
    """Whether ``url`` carries a user or password before its host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "@" in url
    return bool(parts.username or parts.password)


def redact_url(url: str) -> str:
    """``url`` as it may be shown: the password (or a lone token) before the host replaced."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return redact(url)
    if not (parts.username or parts.password):
        return redact(url)
    user = parts.username if parts.password else MASK
    netloc = f"{user}:{MASK}@{host}" if parts.password else f"{user}@{host}"
    if port:
        netloc += f":{port}"
    return redact(urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)))
