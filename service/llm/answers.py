"""Reading what an answer holds: tool-call arguments or content, JSON inside a code fence
(or cut off by a token limit), and the first token's log-probabilities. No SDK imports:
the article strategy's fallback reads answers without paying for openai's import.
"""

from __future__ import annotations

import json
import math
from typing import Any

import jiter


def _field(item: Any, name: str) -> Any:
    """``item.name`` or ``item[name]``: the SDK gives objects, servers' extras stay dicts."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def first_token_alternatives(response: Any) -> dict[str, float] | None:
    """Token -> log-probability of the alternatives at the answer's first token, from a
    chat completion (``logprobs.content[0].top_logprobs``) or a text completion
    (``logprobs.top_logprobs[0]``, or ``content`` as llama.cpp's own server writes it).
    None when the response has no alternatives: the chosen token's probability alone
    says nothing of the other answers."""
    try:
        logprobs = _field(response.choices[0], "logprobs")
    except (IndexError, AttributeError, TypeError):
        return None
    if logprobs is None:
        return None
    content = _field(logprobs, "content")
    if content:
        found: dict[str, float] = {}
        for alternative in _field(content[0], "top_logprobs") or []:
            token, logprob = _field(alternative, "token"), _field(alternative, "logprob")
            if isinstance(token, str) and isinstance(logprob, int | float):
                found.setdefault(token, float(logprob))
        return found or None
    top = _field(logprobs, "top_logprobs")
    if top and isinstance(top[0], dict) and len(top[0]) > 1:
        return {str(k): float(v) for k, v in top[0].items()}
    return None


def first_token_mass(response: Any, words: tuple[str, ...]) -> dict[str, float] | None:
    """Each word's probability mass at the first answer token.

    A token counts for a word when, stripped and lowercased, it is a non-empty prefix of
    that word alone (" Neg" for "negative"; "ne" is both "negative" and "neutral" and
    counts for neither). Mass on other tokens is left out: the caller renormalises.
    """
    alternatives = first_token_alternatives(response)
    if alternatives is None:
        return None
    mass = dict.fromkeys(words, 0.0)
    for token, logprob in alternatives.items():
        stem = token.strip().lower()
        matching = [word for word in words if stem and word.startswith(stem)]
        if len(matching) == 1:
            mass[matching[0]] += math.exp(logprob)
    return mass


def completion_text(completion: Any) -> str | None:
    """The payload of a chat completion: tool-call arguments or message content."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    calls = getattr(message, "tool_calls", None) or []
    for call in calls:
        arguments = getattr(getattr(call, "function", None), "arguments", None)
        if isinstance(arguments, str):
            return arguments
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None


def parse_json_payload(payload: str, *, partial: bool = False) -> Any:
    """Parse a model payload that may be wrapped in a Markdown code fence.

    ``partial`` also accepts JSON cut off mid-way (a token limit), returning what was
    complete, so that the claims before the cut are not lost.
    """
    text = payload.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    if partial:
        return jiter.from_json(text.encode(), partial_mode="trailing-strings")
    return json.loads(text)
