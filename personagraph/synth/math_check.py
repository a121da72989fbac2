"""Math answers checked by separate calls: the problem (only the problem) goes to a solver, once
or more, and the sample is ``verified`` when every solver's final answer agrees with the author's.

Persona Hub generated problems and solved them in a separate step; a model asked for a hard
problem and its answer in one reply is often wrong, and the author's own solution biases any
check that sees it, so the solver prompt has neither the persona nor the author's working.
"""

from __future__ import annotations

import asyncio
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from personagraph import prompts

if TYPE_CHECKING:
    from personagraph.llm import LLMClient

SOLVER_PROMPT = "synth_math_solve"
# Low but not zero: two solutions at temperature 0 would mostly be one solution twice.
SOLVER_TEMPERATURE = 0.3
UNSOLVABLE = "unsolvable"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")
_WRAPPERS = re.compile(r"\\boxed\{(.*)\}|\\text\{(.*?)\}")


class MathSolution(BaseModel):
    model_config = ConfigDict(extra="ignore")

    solution: str = Field(min_length=1, description="The worked solution, step by step")
    answer: str = Field(description="The final answer, short")


def _plain(answer: str) -> str:
    text = _WRAPPERS.sub(lambda m: m.group(1) or m.group(2) or "", answer.strip())
    text = text.replace("$", "").replace(",", "").replace("\u2212", "-").strip().rstrip(".").lower()
    return re.sub(r"\s+", " ", text)


def _numbers(text: str) -> list[Fraction]:
    out = []
    for token in _NUMBER.findall(text):
        top, _, bottom = token.partition("/")
        value = Fraction(top)
        out.append(value / Fraction(bottom) if bottom and Fraction(bottom) else value)
    return out


def answers_agree(first: str, second: str) -> bool:
    """Whether two final answers say the same: equal numbers (``506`` = ``506 jars`` = ``$506.00``,
    ``3/4`` = ``0.75``; within 0.5 % when either is written with decimals, which covers rounding to
    the places the problem asked for; what is not a number must match when both sides have some)
    or, for answers without numbers, equal words. Unsure cases come out as disagreement: a false
    flag costs one sample, a false pass puts a wrong answer in the clean set."""
    a, b = _plain(first), _plain(second)
    if not a or not b or UNSOLVABLE in (a, b):
        return False
    if a == b:
        return True
    left, right = _numbers(a), _numbers(b)
    if not left or len(left) != len(right):
        return False
    rest = [re.sub(r"\s+", "", _NUMBER.sub("", t)) for t in (a, b)]
    if all(rest) and rest[0] != rest[1]:  # "x+1" is not "y+1"; a unit on one side only is allowed
        return False
    rounded = "." in a or "." in b
    for x, y in zip(left, right, strict=True):
        if x == y:
            continue
        if not rounded or abs(x - y) > Fraction(5, 1000) * max(abs(x), abs(y)):
            return False
    return True


def verdict(author: str, solved: list[str | None]) -> tuple[bool, str]:
    """(verified, reason): verified when every solution has an answer agreeing with the author's."""
    problems = []
    for number, answer in enumerate(solved, 1):
        if answer is None:
            problems.append(f"solution {number} gave no valid reply")
        elif not answers_agree(author, answer):
            problems.append(f"solution {number} answers {answer!r}")
    if problems:
        return False, f"the author's answer is {author!r}; " + "; ".join(problems)
    return True, f"{len(solved)} independent solution(s) agree with {author!r}"


async def check_math(client: LLMClient, problem: str, author: str, count: int, tag: str) -> dict[str, Any]:
    """Solve ``problem`` ``count`` times in separate calls and compare with the author's answer.

    Each solution has its own sampling seed, so the second is a second reply and not the first
    one's cache entry. Returns the sample properties ``verified``, ``verify_reason``, and the
    solutions (for ``data``).
    """
    prompt = prompts.load(SOLVER_PROMPT)
    messages = prompt.render(problem=problem)
    results = await asyncio.gather(
        *(
            client.generate(messages, MathSolution, SOLVER_TEMPERATURE, None, f"{tag}:solve{n}", seed=n)
            for n in range(1, count + 1)
        )
    )
    solutions = [
        {"solution": r.parsed.solution, "answer": r.parsed.answer, "model": r.model}
        if r.ok and r.parsed is not None
        else {"error": r.error or "no reply"}
        for r in results
    ]
    verified, reason = verdict(author, [s.get("answer") for s in solutions])
    return {"verified": verified, "verify_reason": reason, "solutions": solutions, "solver_prompt": prompt.ref}
