"""Cypher split into tokens the way the server's lexer splits it, for the read-only guard.

The rules follow the Cypher 25 lexer that Neo4j 5 and ArcadeDB share (Cypher25Lexer.g4):
strings in single or double quotes where a backslash escapes any character; identifiers in
backticks where a doubled backtick stands for one; ``//`` comments to the end of the line and
``/* … */`` comments that do not nest. One pass from left to right, so a ``//`` inside a string
is not a comment and a quote inside a comment is not a string. Where the engine would fall back
to single-character tokens (an unterminated string, comment or backtick), so does this lexer:
the rest of the statement is then read as code, never hidden.

Wherever the guard and the server could disagree, the guard errs towards seeing more code: a line
comment also ends at U+2028/U+2029/U+0085 (the server's ends at CR or LF only), and a word keeps
Unicode format characters (zero-width space, …) inside it so that each piece is checked too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

WORD, NAME, STRING, SYMBOL = "word", "name", "string", "symbol"

# Unicode format characters (category Cf) that may sit inside a word without being seen.
_FORMAT = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_TOKEN = re.compile(
    "|".join(
        (
            rf"(?P<word>[\w{_FORMAT}]+)",  # identifiers, keywords, numbers: the most frequent, tried first
            r"(?P<space>\s+)",
            r"(?P<comment>//[^\r\n\u2028\u2029\x85]*|/\*[\s\S]*?\*/)",
            r"(?P<string>'[^'\\]*(?:\\[\s\S][^'\\]*)*'|\"[^\"\\]*(?:\\[\s\S][^\"\\]*)*\")",
            r"(?P<name>`[^`]*(?:``[^`]*)*`)",
            r"(?P<symbol>\.\.|::|[\s\S])",
        )
    )
)
_NOT_KEYWORD_CHAR = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class Token:
    kind: str  # WORD (identifier, keyword or number), NAME (`backticked`), STRING or SYMBOL
    text: str  # as written
    start: int  # offset in the statement

    @property
    def value(self) -> str:
        """A backticked name without its backticks (a doubled backtick is one), else the text."""
        return self.text[1:-1].replace("``", "`") if self.kind == NAME else self.text


def tokens(cypher: str) -> Iterator[Token]:
    """The statement's tokens, without whitespace and comments."""
    for match in _TOKEN.finditer(cypher):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        yield Token(kind or SYMBOL, match.group(), match.start())


def fold(text: str) -> str:
    """A word as a keyword comparison sees it: compatibility forms (full-width, mathematical
    letters, ſ, K) to plain letters, case folded, accents and format characters dropped, and a
    dotless ı read as i (Java's case-insensitive compare matches it to I)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return text.replace("ı", "i")


@lru_cache(maxsize=4096)
def keyword_forms(word: str) -> frozenset[str]:
    """Every way a word could read as a keyword: folded whole, and each piece between other characters."""
    if word.isascii():  # most words: a word of ASCII characters is letters, digits and _ only
        return frozenset((word.lower(),))
    folded = fold(word)
    pieces = set(_NOT_KEYWORD_CHAR.split(fold(re.sub(f"[{_FORMAT}]", " ", word))))
    return frozenset({folded, *pieces} - {""})


def position(cypher: str, offset: int) -> str:
    """``line:column`` (both from 1) of an offset, as the servers report positions."""
    line = cypher.count("\n", 0, offset) + 1
    return f"{line}:{offset - (cypher.rfind(chr(10), 0, offset) + 1) + 1}"
