"""Approximate token counts without a tokenizer download, and cutting text to a token budget.

About four characters per token for alphabetic scripts, one per character for CJK, kana and
Hangul (BPE tokenizers spend roughly that much on them). Good enough for budgets and estimates.
"""

from __future__ import annotations

import re

# CJK ideographs, kana, Hangul, CJK punctuation and full-width forms.
_DENSE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
CHARS_PER_TOKEN = 4.0
ELLIPSIS = " […]"


def approx_tokens(text: str) -> int:
    """Estimated tokens in ``text`` (never 0 for non-empty text)."""
    if not text:
        return 0
    dense = len(_DENSE.findall(text))
    return max(1, dense + round((len(text) - dense) / CHARS_PER_TOKEN))


def messages_tokens(messages: list[dict[str, str]]) -> int:
    """Estimated prompt tokens of chat messages (plus a few per message for the chat format)."""
    return sum(approx_tokens(m.get("content", "")) + 4 for m in messages)


def cut_to_budget(text: str, budget: int) -> tuple[str, bool]:
    """``text`` cut to about ``budget`` tokens at a word (or character, for CJK) boundary; and whether it was cut."""
    if approx_tokens(text) <= budget:
        return text, False
    low, high = 0, len(text)
    while low < high:  # longest prefix within the budget
        middle = (low + high + 1) // 2
        if approx_tokens(text[:middle]) <= budget:
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    space = head.rfind(" ")
    if space > low * 0.8:  # cut at a word boundary when one is near
        head = head[:space]
    return head.rstrip() + ELLIPSIS, True
