"""The carver: filters that restrict which personas a batch may use.

Four kinds, all checked before any query runs:

- ``--where "hop <= 2 and uses = 0"``: ``field op value`` joined by ``and``; fields from a fixed
  list (the graph facets and the typed attributes: ``age >= 50 and settlement = rural``; a persona
  without the attribute matches neither = nor !=), values sent as query parameters (the query file compares them by name, so no user text
  is ever part of the Cypher);
- ``--origin text,persona`` and ``--cluster 3,7``: lists, sent as parameters;
- ``--text nurse``: a case-insensitive substring of the persona text, a parameter;
- ``--match "(p)-[:PATIENT_OF]->(:Persona)"``: a graph pattern the persona ``p`` must be part of.
  This is the one place user text shapes Cypher, so it is parsed by a small grammar (nodes,
  relations, variable-length bounds, literal property maps), relation types and labels are checked
  against the vocabulary, and the Cypher is written back from the parse tree, with every literal
  turned into a parameter. Anything else (clauses, functions, quotes inside strings, comments,
  parameters, semicolons, backticks) is refused with the position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from personagraph.attribute_schema import FIELD_KINDS
from personagraph.errors import ConfigError, VocabularyError
from personagraph.vocabulary import STRUCTURAL, Vocabulary

# Field -> kind of value; the candidates query exposes exactly these names.
WHERE_FIELDS: dict[str, str] = {
    "hop": "int",
    "uses": "int",
    "cluster": "int",
    "community": "int",
    "degree": "int",
    "origin": "origin",
    "quality": "int",  # the LLM judge's overall score (`personagraph judge personas`); unjudged personas never pass
    # The typed attributes (attribute_schema): age compares as a number, the others by exact value.
    **FIELD_KINDS,
}
ORIGINS = ("text", "persona", "import")
_OPS = {"=": "=", "==": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
LABELS = ("Persona", "Text", "Sample", "Batch", "Cluster")
MAX_HOPS = 6
MAX_PATTERN = 400


class CarverError(ConfigError):
    """A filter the carver refuses (bad field, operator, value or pattern); the message starts with
    the filter's parameter (``where: ...``), which is the error's ``param``."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, param=message.partition(":")[0])


# -- --where ------------------------------------------------------------------------------------
_COND = re.compile(
    r"\s*(?P<field>[A-Za-z_]\w*)\s*(?P<op>==|!=|<>|<=|>=|=|<|>)\s*"
    r"(?P<value>'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?|[A-Za-z_]\w*)\s*"
)


def parse_where(text: str) -> list[dict[str, Any]]:
    """``"hop <= 2 and origin = text"`` -> ``[{field, op, value}, ...]``; raises CarverError."""
    conditions: list[dict[str, Any]] = []
    parts = re.split(r"\s+and\s+", text.strip(), flags=re.I)
    if not text.strip():
        return conditions
    for part in parts:
        match = _COND.fullmatch(part)
        if not match:
            raise CarverError(
                f"where: cannot read {part.strip()!r}",
                hint="write field op value joined by 'and', e.g. \"hop <= 2 and uses = 0\"",
            )
        name = match["field"].lower()
        if name not in WHERE_FIELDS:
            raise CarverError(f"where: unknown field {match['field']!r}", hint=f"fields: {', '.join(WHERE_FIELDS)}")
        op = _OPS[match["op"]]
        raw = match["value"]
        if WHERE_FIELDS[name] == "int":
            if not re.fullmatch(r"-?\d+(?:\.\d+)?", raw):
                raise CarverError(f"where: {name} needs a number, not {raw!r}")
            value: Any = float(raw) if "." in raw else int(raw)
        elif WHERE_FIELDS[name] == "str":
            value = raw[1:-1] if raw[:1] in "'\"" else raw
            if op not in ("=", "<>"):
                raise CarverError(f"where: {name} compares with = or != (exact value), not {match['op']}")
        else:
            value = raw.strip("'\"")
            if value not in ORIGINS or op not in ("=", "<>"):
                raise CarverError(f"where: origin compares with = or != to one of {', '.join(ORIGINS)}")
        conditions.append({"field": name, "op": op, "value": value})
    return conditions


# -- --match ------------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<id>[A-Za-z_][A-Za-z0-9_]*)|(?P<str>'[^'\\\"`]*')"
    r"|(?P<sym>\.\.|[()\[\]{}:,|*<>\-&]))"
)
_RESERVED = frozenset(
    {
        "match",
        "where",
        "return",
        "with",
        "call",
        "create",
        "merge",
        "set",
        "delete",
        "detach",
        "remove",
        "drop",
        "load",
        "union",
        "optional",
        "unwind",
        "foreach",
        "yield",
        "and",
        "or",
        "not",
        "xor",
        "in",
        "is",
        "null",
        "true",
        "false",
        "exists",
        "count",
        "case",
        "order",
    }
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise CarverError(
                f"match: unexpected {text[pos : pos + 12].strip()!r} at column {pos + 1}",
                hint="a pattern is nodes (v:Label {key: value}) and relations -[:TYPE]-> only",
            )
        kind = match.lastgroup or ""
        out.append((kind, match[kind], match.start(kind) + 1))
        pos = match.end()
    return out


@dataclass
class _Parser:
    tokens: list[tuple[str, str, int]]
    types: frozenset[str]
    params: dict[str, Any] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)
    path_variables: list[set[str]] = field(default_factory=list)  # the variables of each comma-separated path
    i: int = 0

    def peek(self, value: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        return value is None or self.tokens[self.i][1] == value

    def fail(self, what: str) -> CarverError:
        if self.i >= len(self.tokens):
            return CarverError(f"match: pattern ends early; expected {what}")
        _, value, col = self.tokens[self.i]
        return CarverError(f"match: expected {what} at column {col}, found {value!r}")

    def take(self, value: str | None = None, kind: str | None = None) -> str:
        if not self.peek(value) or (kind and self.tokens[self.i][0] != kind):
            raise self.fail(repr(value) if value else kind or "more")
        token = self.tokens[self.i][1]
        self.i += 1
        return token

    def ident(self) -> str:
        name = self.take(kind="id")
        if name.lower() in _RESERVED:
            self.i -= 1
            raise self.fail("a name (not a keyword)")
        return name

    def literal(self) -> Any:
        if self.i < len(self.tokens) and self.tokens[self.i][0] == "num":
            raw = self.take()
            return float(raw) if "." in raw else int(raw)
        if self.i < len(self.tokens) and self.tokens[self.i][0] == "str":
            return self.take()[1:-1]
        if self.peek("-"):
            self.take("-")
            raw = self.take(kind="num")
            return -(float(raw) if "." in raw else int(raw))
        word = self.take(kind="id").lower()
        if word in ("true", "false"):
            return word == "true"
        self.i -= 1
        raise self.fail("a number, 'text' or true/false")

    def props(self) -> str:
        if not self.peek("{"):
            return ""
        self.take("{")
        items = []
        while True:
            key = self.ident()
            self.take(":")
            name = f"pm_{len(self.params)}"
            self.params[name] = self.literal()
            items.append(f"{key}: ${name}")
            if self.peek("}"):
                break
            self.take(",")
        self.take("}")
        return " {" + ", ".join(items) + "}"

    def node(self) -> str:
        self.take("(")
        out = "("
        if self.i < len(self.tokens) and self.tokens[self.i][0] == "id":
            name = self.ident()
            self.variables.add(name)
            self.path_variables[-1].add(name)
            out += name
        while self.peek(":"):
            self.take(":")
            label = self.take(kind="id")
            if label not in LABELS:
                self.i -= 1
                raise CarverError(f"match: unknown label {label!r}", hint=f"labels: {', '.join(LABELS)}")
            out += f":{label}"
        out += self.props()
        self.take(")")
        return out + ")"

    def rel_type(self) -> str:
        name = self.take(kind="id")
        if name not in self.types:
            raise VocabularyError(
                f"match: unknown relation type {name!r}", hint=f"known: {', '.join(sorted(self.types))}", param="match"
            )
        return name

    def relation(self) -> str:
        left = "<" if self.peek("<") else ""
        if left:
            self.take("<")
        self.take("-")
        body = ""
        if self.peek("["):
            self.take("[")
            if self.i < len(self.tokens) and self.tokens[self.i][0] == "id":
                name = self.ident()
                self.path_variables[-1].add(name)
                body += name
            if self.peek(":"):
                self.take(":")
                types = [self.rel_type()]
                while self.peek("|"):
                    self.take("|")
                    if self.peek(":"):
                        self.take(":")
                    types.append(self.rel_type())
                body += ":" + "|".join(types)
            if self.peek("*"):
                body += self.hops()
            body += self.props()
            self.take("]")
            body = f"[{body}]"
        self.take("-")
        right = ">" if self.peek(">") else ""
        if right:
            self.take(">")
        if left and right:
            raise CarverError("match: a relation points one way or none, not both")
        return f"{left}-{body}-{right}"

    def hops(self) -> str:
        self.take("*")
        low = high = None
        if self.i < len(self.tokens) and self.tokens[self.i][0] == "num":
            low = high = int(self.take())
        if self.peek(".."):
            self.take("..")
            high = int(self.take(kind="num")) if self.i < len(self.tokens) and self.tokens[self.i][0] == "num" else None
        if high is None or high > MAX_HOPS or (low is not None and low > high):
            raise CarverError(f"match: variable-length relations need bounds up to {MAX_HOPS}, e.g. *1..3")
        return f"*{'' if low is None else low}..{high}" if low != high else f"*{low}"

    def path(self) -> str:
        self.path_variables.append(set())
        out = self.node()
        while self.peek("-") or self.peek("<"):
            out += self.relation() + self.node()
        return out

    def patterns(self) -> str:
        paths = [self.path()]
        while self.peek(","):
            self.take(",")
            paths.append(self.path())
        if self.i != len(self.tokens):
            raise self.fail("the end of the pattern")
        apart = disconnected(self.path_variables)
        if apart:
            raise CarverError(
                f"match: {', '.join(paths[i] for i in apart)}: not joined to p's path by any shared variable; a disconnected "
                "part makes the match a cartesian product (every persona times every match of the part)",
                hint="join each comma-separated path to p's by a shared variable, e.g. (p)-[:RIVAL]-(a), (a)-[:MENTOR_OF]-(b)",
            )
        return ", ".join(paths)


def disconnected(path_variables: list[set[str]]) -> list[int]:
    """Indexes of the paths not joined to the one naming ``p`` through shared variables.

    ``(p), (a), (b)`` on 200k personas ran past 240 s at 2.7 GB (issue 15): each part multiplies
    the rows by its own match count. Paths that share a variable are one connected pattern.
    """
    reached = {i for i, names in enumerate(path_variables) if "p" in names}
    names = set().union(*(path_variables[i] for i in reached)) if reached else set()
    grew = True
    while grew:
        grew = False
        for i, path in enumerate(path_variables):
            if i not in reached and path & names:
                reached.add(i)
                names |= path
                grew = True
    return [i for i in range(len(path_variables)) if i not in reached]


def parse_match(text: str, vocabulary: Vocabulary | None = None) -> tuple[str, dict[str, Any]]:
    """A graph pattern, validated and rewritten: (Cypher pattern text, its parameters).

    The pattern must name the candidate persona as ``p``; it is used as
    ``MATCH (p:Persona) WHERE EXISTS { MATCH <pattern> }``.
    """
    if len(text) > MAX_PATTERN:
        raise CarverError(f"match: pattern longer than {MAX_PATTERN} characters")
    if any(ch in text for ch in ';`$/\\"\n\r') or not text.strip():
        raise CarverError(
            'match: only a graph pattern is allowed (no ; ` $ / \\ " or line breaks)',
            hint='e.g. "(p)-[:PATIENT_OF]->(:Persona)"',
        )
    types = frozenset((vocabulary or Vocabulary()).types) | STRUCTURAL
    parser = _Parser(_tokens(text), types)
    cypher = parser.patterns()
    if "p" not in parser.variables:
        raise CarverError("match: the pattern must name the candidate persona p, e.g. (p)-[:RIVAL]-(:Persona)")
    return cypher, parser.params


@dataclass(frozen=True)
class Carver:
    """The filters of one batch; ``params()`` are the candidates query's parameters."""

    where: tuple[dict[str, Any], ...] = ()
    origins: tuple[str, ...] = ()
    clusters: tuple[int, ...] = ()
    text: str | None = None
    match: str | None = None
    match_params: tuple[tuple[str, Any], ...] = ()
    description: str = ""

    @classmethod
    def parse(
        cls,
        *,
        where: str | None = None,
        origin: str | None = None,
        cluster: str | None = None,
        text: str | None = None,
        match: str | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> Carver:
        """Check every filter the user gave (CLI strings) and build the carver."""
        origins = tuple(o.strip().lower() for o in (origin or "").split(",") if o.strip())
        for o in origins:
            if o not in ORIGINS:
                raise CarverError(f"origin: {o!r} is not one of {', '.join(ORIGINS)}")
        try:
            clusters = tuple(int(c) for c in (cluster or "").split(",") if c.strip())
        except ValueError as exc:
            raise CarverError(f"cluster: {cluster!r} must be numbers separated by commas") from exc
        pattern, params = parse_match(match, vocabulary) if match else (None, {})
        parts = [
            f"where {where}" if where else "",
            f"origin {','.join(origins)}" if origins else "",
            f"cluster {','.join(map(str, clusters))}" if clusters else "",
            f"text {text!r}" if text else "",
            f"match {pattern}" if pattern else "",
        ]
        return cls(
            tuple(parse_where(where or "")),
            origins,
            clusters,
            (text or "").strip().lower() or None,
            pattern,
            tuple(params.items()),
            "; ".join(p for p in parts if p),
        )

    def params(self) -> dict[str, Any]:
        return {
            "conds": [dict(c) for c in self.where],
            "origins": list(self.origins) or None,
            "clusters": list(self.clusters) or None,
            "text": self.text,
            **dict(self.match_params),
        }
