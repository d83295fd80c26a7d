"""The one builder of fake chat completions, for the test fakes and benchmarks/stub_server.py.

Standard library only: the benchmark stub imports it in a process of its own, started as
``python -m benchmarks.stub_server`` from the repository root.
"""

from __future__ import annotations

import json
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
