"""Prompts as files, one per task, versioned by the hash of their content.

A prompt file ``<name>.prompt`` in this folder looks like this::

    # One line saying what the prompt is for.
    # vars: text, granularity
    === system
    You are ...
    === user
    Who is likely to read this text?
    {{ text }}
    === block fine
    A snippet the code picks by name (``prompt.blocks["fine"]``) and passes in as a variable.

Leading ``#`` lines are the header. ``=== system`` / ``=== user`` / ``=== assistant`` sections
become chat messages in order; ``=== block NAME`` sections are snippets kept in the file (so they
are versioned with it) and not sent unless the code passes one in. ``{{ name }}`` is replaced by
the variable ``name``; a missing variable is an error. Nothing else is special, so JSON braces and
LaTeX dollars need no escaping.

Few-shot examples, when a task uses them, live beside it in ``<name>.examples.jsonl``: one
``{"vars": {...}, "reply": ...}`` per line. ``render(shots=k, ...)`` puts the first ``k`` in front
of the real question as user/assistant turns. The version covers both files.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from personagraph.errors import ConfigError

PROMPT_DIR = Path(__file__).resolve().parent
_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECTION = re.compile(r"^===\s*(system|user|assistant|block\s+[A-Za-z_][A-Za-z0-9_]*)\s*$")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Prompt:
    """A loaded prompt: ``render(**vars)`` gives the chat messages."""

    name: str
    version: str
    description: str
    messages: tuple[tuple[str, str], ...]
    blocks: dict[str, str] = field(default_factory=dict)
    examples: tuple[dict[str, Any], ...] = ()
    path: str = ""

    @property
    def ref(self) -> str:
        """``name@version``, as written into provenance."""
        return f"{self.name}@{self.version}"

    @property
    def variables(self) -> list[str]:
        """The variable names the message templates use."""
        found = [m.group(1) for _, text in self.messages for m in _VAR.finditer(text)]
        return list(dict.fromkeys(found))

    def fill(self, template: str, values: dict[str, Any]) -> str:
        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in values:
                raise ConfigError(
                    f"prompt {self.name}: no value for {{{{ {key} }}}}", hint=f"needs {', '.join(self.variables)}"
                )
            item = values[key]
            return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)

        return _VAR.sub(value, template)

    def render(
        self, shots: int = 0, examples: list[dict[str, Any]] | None = None, **values: Any
    ) -> list[dict[str, str]]:
        """Chat messages with ``values`` filled in, after ``shots`` few-shot examples (default none).

        ``examples`` replaces the file's examples (``{"vars": {...}, "reply": ...}`` each), e.g. for
        persona-enhanced few-shot prompting.
        """
        pool = list(self.examples if examples is None else examples)
        if shots > len(pool):
            raise ConfigError(f"prompt {self.name} has {len(pool)} examples, {shots} asked for")
        rendered: list[dict[str, str]] = []
        for role, template in self.messages:
            if role == "user" and shots and not any(m["role"] == "user" for m in rendered):
                for example in pool[:shots]:
                    rendered.append(
                        {"role": "user", "content": self.fill(template, {**values, **example.get("vars", {})})}
                    )
                    reply = example.get("reply", "")
                    rendered.append(
                        {
                            "role": "assistant",
                            "content": reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False),
                        }
                    )
            rendered.append({"role": role, "content": self.fill(template, values)})
        return rendered


def parse(name: str, source: str, examples_source: str | None = None, path: str = "") -> Prompt:
    """Build a Prompt from the text of its file (and its examples file)."""
    description: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    in_header = True
    for number, line in enumerate(source.splitlines(), 1):
        match = _SECTION.match(line.strip())
        if match:
            in_header = False
            sections.append((" ".join(match.group(1).split()), []))
            continue
        if in_header:
            if line.startswith("#"):
                body = line.lstrip("#").strip()
                if body and not body.lower().startswith("vars:"):
                    description.append(body)
            elif line.strip():
                raise ConfigError(f"{path or name}:{number}: text before the first '=== system|user|assistant' section")
            continue
        sections[-1][1].append(line)
    messages = tuple((role, "\n".join(lines).strip()) for role, lines in sections if role in ROLES)
    blocks = {role.split()[1]: "\n".join(lines).strip() for role, lines in sections if role.startswith("block ")}
    if not any(role == "user" for role, _ in messages):
        raise ConfigError(f"{path or name}: a prompt needs a '=== user' section")
    examples: list[dict[str, Any]] = []
    for number, line in enumerate((examples_source or "").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{name}.examples.jsonl:{number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or "reply" not in record:
            raise ConfigError(f"{name}.examples.jsonl:{number}: expected an object with 'vars' and 'reply'")
        examples.append(record)
    digest = hashlib.blake2b(source.encode("utf-8"), digest_size=6)
    if examples_source:
        digest.update(b"\0" + examples_source.encode("utf-8"))
    return Prompt(name, digest.hexdigest(), " ".join(description), messages, blocks, tuple(examples), path)


@cache
def _load(name: str, directory: str) -> Prompt:
    folder = Path(directory)
    path = folder / f"{name}.prompt"
    if not path.is_file():
        raise ConfigError(f"no prompt named {name!r} in {folder}", hint=f"known: {', '.join(names(folder)) or 'none'}")
    examples = folder / f"{name}.examples.jsonl"
    return parse(
        name,
        path.read_text(encoding="utf-8"),
        examples.read_text(encoding="utf-8") if examples.is_file() else None,
        str(path),
    )


def load(name: str, directory: str | Path | None = None) -> Prompt:
    """The prompt ``<name>.prompt`` from this package (or from ``directory``)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ConfigError(f"bad prompt name {name!r}")
    return _load(name, str(Path(directory) if directory else PROMPT_DIR))


def names(directory: str | Path | None = None) -> list[str]:
    """Names of the prompts in this package (or ``directory``), sorted."""
    folder = Path(directory) if directory else PROMPT_DIR
    return sorted(p.name[: -len(".prompt")] for p in folder.glob("*.prompt"))


__all__ = ["Prompt", "load", "names", "parse"]
