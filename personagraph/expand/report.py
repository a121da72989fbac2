"""Options, report and identities of an expansion run (plain data, shared by the CLI and the demo)."""

from __future__ import annotations

import os
import secrets
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from personagraph.llm.lifecycle import DryRunReport


@dataclass
class ExpandOptions:
    hops: int = 6
    per_persona: int = 3
    concurrency: int = 16
    max_personas: int | None = None
    max_calls: int | None = None
    lease: float = 120.0
    temperature: float = 0.7
    write_batch: int = 128
    flush_interval: float = 0.5
    run_id: str | None = None
    worker: str | None = None
    origins: list[str] = field(default_factory=list)  # expand only personas of these origins ([] = all)


@dataclass
class ExpandReport:
    run: str
    worker: str
    hops: int
    model: str = ""
    prompt: str = ""
    expanded: int = 0
    new_by_hop: Counter[int] = field(default_factory=Counter)
    linked_existing: int = 0
    resolved: int = 0
    relations: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    self_loops: int = 0
    retried: int = 0  # replies whose relation types were all rejected, asked again once
    unrelated: int = 0  # personas left without an edge after that (counted in failures too)
    failures: int = 0
    lost_claims: int = 0
    conflicts: int = 0  # writes that collided with another worker's and were run again
    failures_path: str = ""
    stopped: str = ""
    elapsed: float = 0.0
    llm: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "worker": self.worker,
            "hops": self.hops,
            "model": self.model,
            "prompt": self.prompt,
            "expanded": self.expanded,
            "new_personas": sum(self.new_by_hop.values()),
            "new_by_hop": {str(k): v for k, v in sorted(self.new_by_hop.items())},
            "linked_existing": self.linked_existing,
            "resolved": self.resolved,
            "relations": dict(self.relations.most_common()),
            "rejected_relations": dict(self.rejected.most_common()),
            "self_loops": self.self_loops,
            "retried_rejections": self.retried,
            "unrelated": self.unrelated,
            "failures": self.failures,
            "lost_claims": self.lost_claims,
            "conflicts_retried": self.conflicts,
            "failures_path": self.failures_path,
            "stopped": self.stopped,
            "elapsed_s": round(self.elapsed, 2),
            "llm": self.llm,
        }


def new_run_id(prefix: str = "run") -> str:
    return f"{prefix}-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(2)}"


def new_worker_id() -> str:
    """``host/pid/random``: the host and pid let a later run on this host see that the worker died."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(3)}"


def worker_is_dead(worker: str, single_process: bool) -> bool:
    if single_process:  # only this process opens the store: a claim we did not make is stale
        return True
    host, _, rest = worker.partition("/")
    pid_text = rest.partition("/")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


@dataclass
class DryRun:
    frontier: int
    prompts: list[list[dict[str, str]]]
    prompt_tokens: int
    completion_tokens: int
    projected_calls: int

    def report(self, hops: int) -> DryRunReport:
        """The shared dry-run report of the LLM stages (requests: the frontier as it is now)."""
        note = f"frontier now: {self.frontier:,} personas; about {self.projected_calls:,} calls for all {hops} hops"
        return DryRunReport("expand", self.frontier, self.prompts, self.prompt_tokens, self.completion_tokens, [note])
