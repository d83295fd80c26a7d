"""Span geometry for :mod:`.scoring`: character/token sets, Dice, one-to-one matching."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Pairs", "SpanItem", "SpanText", "dice", "greedy", "identical"]

TOKEN = re.compile(r"\w+")
Pairs = list[tuple[int, int]]  # (gold index, prediction index)


@dataclass(frozen=True)
class SpanItem:
    exact: frozenset[int]  # non-whitespace character positions
    relaxed: frozenset[int]  # letter/digit character positions
    tokens: frozenset[int]  # indices of \w+ tokens with a covered character


class SpanText:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tok = [-1] * len(text)
        for i, m in enumerate(TOKEN.finditer(text)):
            self.tok[m.start() : m.end()] = [i] * (m.end() - m.start())

    def item(self, fragments: Sequence[tuple[int, int]]) -> SpanItem:
        chars = {c for s, e in fragments for c in range(max(s, 0), min(e, len(self.text)))}
        exact = frozenset(c for c in chars if not self.text[c].isspace())
        relaxed = frozenset(c for c in exact if self.text[c].isalnum())
        return SpanItem(exact, relaxed, frozenset(self.tok[c] for c in chars if self.tok[c] >= 0))


def dice(a: SpanItem, b: SpanItem) -> float:
    x, y = (a.tokens, b.tokens) if a.tokens and b.tokens else (a.exact, b.exact)
    return 2 * len(x & y) / (len(x) + len(y)) if x or y else 0.0


def identical(gold: list[SpanItem], pred: list[SpanItem], relaxed: bool = False) -> Pairs:
    """One-to-one pairs (gold index, prediction index) of identical spans."""
    waiting: dict[frozenset[int], list[int]] = {}
    for j, p in enumerate(pred):
        if key := p.relaxed if relaxed else p.exact:
            waiting.setdefault(key, []).append(j)
    pairs = []
    for i, g in enumerate(gold):
        if queue := waiting.get(g.relaxed if relaxed else g.exact):
            pairs.append((i, queue.pop(0)))
    return pairs


def greedy(gold: list[SpanItem], pred: list[SpanItem]) -> list[tuple[int, int, float]]:
    """One-to-one pairs by descending Dice (any overlap), ties broken by text order."""
    cands = [(d, i, j) for i, g in enumerate(gold) for j, p in enumerate(pred) if (d := dice(g, p))]
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for d, i, j in sorted(cands, key=lambda t: (-t[0], t[1], t[2])):
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j, d))
    return pairs
