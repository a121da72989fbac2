"""The names of the synthesis tasks, without the task registry.

``personagraph --help`` lists them as the choices of ``--task``; importing the registry
(``synth.tasks``) builds its pydantic models, 300 ms on this machine against 130 ms for the whole
CLI, so the CLI reads this tuple and a unit test checks it against ``TASKS``.
"""

from __future__ import annotations

TASK_NAMES = ("math", "logic", "instruction", "knowledge", "npc", "tool", "rivals", "consultation", "handoff")
