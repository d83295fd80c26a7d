"""The one path to a language model: the OpenAI SDK plus instructor, over HTTP.

This package is the only place that imports ``openai`` or ``instructor``:
``transport`` (retry policy, error translation), ``client`` (structured calls) and
``batches`` (provider batch mode). It owns two retry loops, one per failure kind, so
that they never multiply:

* transport (429, 5xx, timeouts, dropped connections): tenacity around each HTTP
  request, honouring ``Retry-After``; the SDK's own retries are off (``max_retries=0``);
* validation (the answer does not fit the schema or is not grounded): instructor's
  ``max_retries``, which re-asks with the validation error in the conversation.

Vendor exceptions are translated into :mod:`claimstance.errors` types with ``raise … from``.
"""

from claimstance.llm.batches import BatchAPI, BatchInfo, request_body
from claimstance.llm.client import (
    LLMClient,
    LLMResult,
    Message,
    completion_text,
    parse_json_payload,
    wire_model,
)
from claimstance.llm.transport import Sleep, translate_error, transport_retrying

__all__ = [
    "BatchAPI",
    "BatchInfo",
    "LLMClient",
    "LLMResult",
    "Message",
    "Sleep",
    "completion_text",
    "parse_json_payload",
    "request_body",
    "translate_error",
    "transport_retrying",
    "wire_model",
]
