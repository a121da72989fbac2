"""What a ``synth`` run is asked to do, carried as one value from the CLI to the library."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from personagraph.sampling.carver import Carver

LEASE = 120.0  # seconds a worker's claim on a group lasts without renewal (renewed every third of it)


@dataclass(frozen=True)
class SynthesisOptions:
    """The choices of one synthesis run (``plan_synthesis``, ``synthesize``, ``personagraph synth``).

    ``batch_id`` works on that recorded batch with its recorded parameters (the task, mode, options,
    shots, temperature and solutions given here are then replaced by the recorded ones); otherwise
    an unfinished batch of a run with the same parameters is joined (unless ``resume`` is False).
    ``regenerate`` asks again for every group of the batch (samples overwritten; one worker only).
    ``solutions`` (math only): separate calls that solve each problem to verify its answer.
    ``lease``: how long a worker's claim on a group lasts unless renewed (several workers, one batch).
    """

    task: str | None = None
    mode: str = "zero-shot"
    size: int = 10
    strategy: str = "kcenter"
    carver: Carver | None = None
    seed: int = 0
    allocation: str = "sqrt"
    task_options: Mapping[str, str | None] = field(default_factory=dict)
    shots: int = 3
    examples: list[dict[str, Any]] | None = None
    temperature: float = 0.8
    batch_id: str | None = None
    regenerate: bool = False
    resume: bool = True
    solutions: int = 0
    lease: float = LEASE

    @classmethod
    def of(cls, options: SynthesisOptions | None = None, /, **changes: Any) -> SynthesisOptions:
        """``options`` (or the defaults) with ``changes``: keyword calls name the fields directly."""
        if options is not None and not isinstance(options, SynthesisOptions):
            raise TypeError(
                f"options must be SynthesisOptions, not {type(options).__name__} (a task's are task_options)"
            )
        unknown = set(changes) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"unknown synthesis option(s): {', '.join(sorted(unknown))}")
        return replace(options or cls(), **changes)
