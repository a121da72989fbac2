"""A synthetic persona corpus with planted near-duplicates, for benchmarks/dedup.py.

Texts come from a word bigram chain learnt from the real Persona Hub sample (varied vocabulary,
1–3 sentences, ~21 words); a share of them are near-copies of others, of six kinds.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

KINDS = ("swap", "delete", "filler", "synonym", "typo", "case_punct")
FUNCTION_WORDS = 120  # the most frequent words of the sample keep their place in the chain
FILLERS = ("really", "also", "very", "truly", "quite", "often")
_WORD = re.compile(r"[^\W\d_][\w'-]*")


def sample_dir() -> Path:
    """``shared/personahub-sample`` beside the checkout (same search as the tests)."""
    if os.environ.get("PERSONAGRAPH_SAMPLE_DIR"):
        return Path(os.environ["PERSONAGRAPH_SAMPLE_DIR"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "personahub-sample"
        if candidate.is_dir():
            return candidate
    raise SystemExit("the Persona Hub sample (shared/personahub-sample) was not found; set PERSONAGRAPH_SAMPLE_DIR")


@dataclass
class Corpus:
    texts: list[str]
    planted: np.ndarray  # (m, 2): (original index, near-copy index)
    kinds: list[str]  # kind of each planted pair


class BigramChain:
    """Word bigram transitions of the sample, sampled for many texts at once with numpy."""

    def __init__(self, sentences: list[list[str]]) -> None:
        vocab: dict[str, int] = {"<s>": 0, "</s>": 1}
        nexts: dict[int, list[int]] = defaultdict(list)
        for words in sentences:
            ids = [0] + [vocab.setdefault(w, len(vocab)) for w in words] + [1]
            for a, b in itertools.pairwise(ids):
                nexts[a].append(b)
        self.words = np.array(list(vocab), dtype=object)
        self.start = np.zeros(len(vocab) + 1, dtype=np.int64)
        flat: list[int] = []
        for w in range(len(vocab)):
            flat.extend(nexts.get(w, [1]))
            self.start[w + 1] = len(flat)
        self.flat = np.array(flat, dtype=np.int64)
        frequency = np.bincount(self.flat, minlength=len(vocab))
        self.is_function = np.zeros(len(vocab), dtype=bool)
        self.is_function[np.argsort(-frequency)[:FUNCTION_WORDS]] = True
        self.is_function[:2] = True
        self.content_ids = np.flatnonzero(~self.is_function)

    def walk(self, n: int, lengths: np.ndarray, rng: np.random.Generator) -> list[list[str]]:
        """``n`` word lists; each walks the chain (restarting after a sentence end) for its length."""
        current = np.zeros(n, dtype=np.int64)
        run = np.zeros(n, dtype=np.int64)  # words since the sentence started
        steps = np.zeros((int(lengths.max()), n), dtype=np.int64)
        for t in range(steps.shape[0]):
            lo, hi = self.start[current], self.start[current + 1]
            nxt = self.flat[lo + (rng.random(n) * (hi - lo)).astype(np.int64)]
            # A sentence shorter than 7 words goes on (from a fresh start) instead of ending.
            short = (nxt == 1) & (run < 7)
            if short.any():
                lo0, hi0 = self.start[0], self.start[1]
                nxt[short] = self.flat[lo0 + (rng.random(int(short.sum())) * (hi0 - lo0)).astype(np.int64)]
            steps[t] = nxt
            run = np.where(nxt == 1, 0, run + 1)
            current = np.where(nxt == 1, 0, nxt)  # sentence ended: start the next
        # Content words are drawn uniformly (not by frequency), so each persona has its own topic
        # and unrelated personas share little beyond function words.
        content = ~self.is_function[steps]
        steps[content] = self.content_ids[rng.integers(0, len(self.content_ids), int(content.sum()))]
        words = self.words[steps.T]
        out = []
        for row, length in zip(words, lengths, strict=True):
            out.append([w for w in row[:length]])
        return out


def _render(tokens: list[str]) -> str:
    text, capital = [], True
    for w in tokens:
        if w == "</s>":
            if text:
                text[-1] += "."
            capital = True
            continue
        text.append(w.capitalize() if capital and not w[:1].isupper() else w)
        capital = False
    joined = " ".join(text)
    return joined if joined.endswith(".") else joined + "."


def near_copy(text: str, kind: str, rng: np.random.Generator, vocabulary: list[str]) -> str:
    words = text.split()
    if len(words) < 3:
        return text.upper()
    k = int(rng.integers(1, len(words) - 1))
    if kind == "swap":
        words[k - 1], words[k] = words[k], words[k - 1]
    elif kind == "delete":
        del words[k]
    elif kind == "filler":
        words.insert(k, FILLERS[int(rng.integers(len(FILLERS)))])
    elif kind == "synonym":
        words[k] = vocabulary[int(rng.integers(len(vocabulary)))]
    elif kind == "typo":
        w = words[k]
        if len(w) > 3:
            i = int(rng.integers(1, len(w) - 2))
            words[k] = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        else:
            words[k] = w + w[-1]
    else:  # case and punctuation (a comma inside, so the content id differs too)
        words[k] = words[k] + ","
        return " ".join(words).lower().rstrip(".") + "!"
    return " ".join(words)


def generate(n: int, dup_share: float = 0.05, seed: int = 7) -> Corpus:
    """``n`` personas of which ``dup_share`` are near-copies (kinds cycled) of earlier ones."""
    rng = np.random.default_rng(seed)
    sentences = []
    for line in (sample_dir() / "personas.jsonl").read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["persona"]
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = [w for w in _WORD.findall(sentence) if w not in {".", ","}]
            if words:
                words[0] = words[0].lower() if words[0] in {"A", "An", "The"} else words[0]
                sentences.append(words)
    chain = BigramChain(sentences)
    n_dup = round(n * dup_share)
    n_base = n - n_dup
    lengths = np.clip(rng.normal(21, 5, n_base).round().astype(np.int64), 8, 40)
    texts = [_render(words) for words in chain.walk(n_base, lengths, rng)]
    vocabulary = [w for w in chain.words.tolist() if w.isalpha()]
    originals = rng.choice(n_base, size=n_dup, replace=False)
    kinds = [KINDS[i % len(KINDS)] for i in range(n_dup)]
    copies = [near_copy(texts[o], kind, rng, vocabulary) for o, kind in zip(originals.tolist(), kinds, strict=True)]
    # Copies go to random places among the originals, as they would in a real crawl.
    order = rng.permutation(n)
    all_texts = texts + copies
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    shuffled = [""] * n
    for i, text in enumerate(all_texts):
        shuffled[position[i]] = text
    planted = np.stack([position[originals], position[n_base + np.arange(n_dup)]], axis=1)
    return Corpus(shuffled, planted, kinds)
