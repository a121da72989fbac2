"""Every error PersonaGraph raises on purpose, in one tree.

    PersonaGraphError                 exit 1   base class; .hint is an optional second sentence
    ├── ConfigError                   exit 2   bad option, bad environment, unknown task or strategy
    │   └── VocabularyError           exit 2   relation type or label outside the vocabulary
    ├── InputError                    exit 3   a file the user gave us
    │   ├── MissingFileError          exit 3   path does not exist
    │   ├── UnsupportedFormatError    exit 3   extension / content we cannot read
    │   └── MalformedInputError       exit 3   file:line: reason
    ├── StoreError                    exit 4   anything the graph store reports
    │   ├── StoreLockedError          exit 4   embedded folder held by another process
    │   ├── StoreUnavailableError     exit 4   server unreachable
    │   ├── StoreAuthError            exit 4   wrong user or password
    │   ├── QueryError                exit 4   Cypher rejected (syntax, constraint, parameter)
    │   │   └── StoreConflictError    exit 4   write conflict: a concurrent transaction, or a unique id taken
    │   └── ReadOnlyError             exit 4   a write attempted in a read-only query
    └── LLMError                      exit 5   the language model endpoint
        ├── LLMUnavailableError       exit 5   no endpoint configured or reachable
        └── LLMReplyError             exit 5   a reply that never validated (after retries)

The CLI catches PersonaGraphError in one place and prints ``error: <message>`` on one line.

An error about a parameter names it as the Python API does (``size``, ``min_overlap``) and
carries it in ``params``; the message never names a command-line flag. The CLI writes the
parameter as the flag of the command that was run (``--size``, ``--min-overlap``), from the
Click command's own options, so one message serves both.
"""

from __future__ import annotations

import re


def mention(param: str) -> re.Pattern[str]:
    """``param`` as a word of its own, outside quotes (a quoted word is a value: ``community 'seed'``)."""
    return re.compile(rf"(?<![\w'\"-]){re.escape(param)}(?![\w'\"-])")


class PersonaGraphError(Exception):
    """Base class of every error raised on purpose by PersonaGraph.

    ``param``: the parameter (or parameters) the error is about; a message that does not name
    its one parameter gets it as a prefix (``size: must be at least 1``).
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, param: str | tuple[str, ...] | None = None) -> None:
        self.params: tuple[str, ...] = (param,) if isinstance(param, str) else tuple(param or ())
        if len(self.params) == 1 and not mention(self.params[0]).search(f"{message} {hint or ''}"):
            message = f"{self.params[0]}: {message}"
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ConfigError(PersonaGraphError):
    exit_code = 2


class VocabularyError(ConfigError):
    """A relation type or label that is not in the configured vocabulary."""


class InputError(PersonaGraphError):
    exit_code = 3


class MissingFileError(InputError):
    pass


class UnsupportedFormatError(InputError):
    pass


class MalformedInputError(InputError):
    """A bad record in an input file; the message names ``file:line``."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class StoreError(PersonaGraphError):
    exit_code = 4


class StoreLockedError(StoreError):
    pass


class StoreUnavailableError(StoreError):
    pass


class StoreAuthError(StoreError):
    pass


class QueryError(StoreError):
    """Cypher the store refused; ``query`` names the query file or shows its start."""

    def __init__(self, query: str, reason: str) -> None:
        super().__init__(f"query {query}: {reason}")
        self.query = query
        self.reason = reason


class StoreConflictError(QueryError):
    """A write that lost to another: a concurrent transaction changed the same records, or took the
    same unique id. Raised by the executors (by the engine's or driver's error type, never its words)
    once their own retries are spent; running the work again may succeed."""


class ReadOnlyError(StoreError):
    pass


class LLMError(PersonaGraphError):
    exit_code = 5


class LLMUnavailableError(LLMError):
    pass


class LLMReplyError(LLMError):
    pass
