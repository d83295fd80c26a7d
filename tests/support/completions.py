"""The one builder of fake chat completions, for the test fakes and benchmarks/stub_server.py.

Standard library only: the benchmark stub imports it in a process of its own, started as
``python -m benchmarks.stub_server`` from the repository root.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: What the test fakes report; the benchmark stub passes an estimate of its own.
FAKE_USAGE = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}


def completion(
    payload: dict[str, Any],
    request: dict[str, Any],
    *,
    completion_id: str = "chatcmpl-fake",
    default_model: str = "fake",
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Wrap a JSON payload the way the request asked for it: a tool call or content."""
    arguments = json.dumps(payload, ensure_ascii=False)
    if request.get("tools"):
        name = request["tools"][0]["function"]["name"]
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            ],
        }
    else:
        message = {"role": "assistant", "content": arguments}
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", default_model),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": dict(FAKE_USAGE if usage is None else usage),
    }


def label_completion(
    probabilities: dict[str, float] | None,
    request: dict[str, Any],
    *,
    completion_id: str = "chatcmpl-fake",
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A one-token answer to a classification request (chat, or the completions endpoint
    when the request has a ``prompt``): the most probable label, with its alternatives as
    ``top_logprobs`` (each label's first four letters as the token, the way a tokenizer
    splits words), or without log-probabilities when ``probabilities`` is None, as an
    endpoint that does not support them answers."""
    best = max(probabilities, key=lambda k: probabilities[k]) if probabilities else "neutral"
    if "prompt" in request:  # the completions endpoint: text, and logprobs by position
        text_choice: dict[str, Any] = {"index": 0, "text": best[:4], "finish_reason": "length"}
        if probabilities is not None:
            by_token = {label[:4]: math.log(p) for label, p in probabilities.items() if p > 0}
            text_choice["logprobs"] = {
                "tokens": [best[:4]],
                "token_logprobs": [by_token.get(best[:4], 0.0)],
                "top_logprobs": [by_token],
                "text_offset": [0],
            }
        return {
            "id": completion_id,
            "object": "text_completion",
            "created": 0,
            "model": request.get("model", "fake"),
            "choices": [text_choice],
            "usage": dict(FAKE_USAGE if usage is None else usage),
        }
    choice: dict[str, Any] = {
        "index": 0,
        "message": {"role": "assistant", "content": best[:4]},
        "finish_reason": "length",
    }
    if probabilities is not None:
        top = [
            {"token": label[:4], "logprob": math.log(p), "bytes": None}
            for label, p in sorted(probabilities.items(), key=lambda kv: -kv[1])
            if p > 0
        ]
        choice["logprobs"] = {
            "content": [{**top[0], "top_logprobs": top}] if top else [],
            "refusal": None,
        }
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "fake"),
        "choices": [choice],
        "usage": dict(FAKE_USAGE if usage is None else usage),
    }


_ARTICLE = re.compile(r"<article>\n(.*)\n</article>", re.S)
_TARGETS = re.compile(r"^\s+- (.+)$", re.M)
_CURLY_QUOTE = re.compile(r"“[^”]{3,}”")


def article_text(request: dict[str, Any]) -> str:
    """The article text (or chunk) inside the user message of a request."""
    messages = request.get("messages") or []
    user = next((m["content"] for m in messages if m.get("role") == "user"), "")
    match = _ARTICLE.search(user)
    return match.group(1) if match else user


def requested_targets(request: dict[str, Any]) -> list[str]:
    """The stance targets the article prompt lists, if it asks for stances."""
    messages = request.get("messages") or []
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    return _TARGETS.findall(system) if "exactly one stance" in system else []


def quoted_claims(
    text: str, targets: list[str], *, limit: int, speaker: str = "Someone Important"
) -> list[dict[str, Any]]:
    """The fake model's answer: the first ``limit`` curly-quoted passages as direct
    claims, each with a neutral stance toward every target."""
    return [
        {
            "quote": quote,
            "kind": "direct",
            "speaker": speaker,
            "claim": f"{speaker} said something.",
            "stances": [{"target": t, "label": "neutral", "confidence": 0.5} for t in targets],
        }
        for quote in _CURLY_QUOTE.findall(text)[:limit]
    ]
