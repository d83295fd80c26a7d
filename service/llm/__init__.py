"""The one path to a language model (the OpenAI SDK plus instructor, over HTTP), the
response cache and the connection pool. May import: config, errors, schemas.

Only this package imports ``openai`` or ``instructor``: ``transport`` (retry policy, error
translation), ``client`` (structured calls) and ``batches`` (provider batch mode); ``cache``
(the response cache) and ``http_pool`` (the sharded connection pool) need neither. It owns
two retry loops, one per failure kind, so that they never multiply:

* transport (429, 5xx, timeouts, dropped connections): tenacity around each HTTP
  request, honouring ``Retry-After``; the SDK's own retries are off (``max_retries=0``);
* validation (the answer does not fit the schema or is not grounded): instructor's
  ``max_retries``, which re-asks with the validation error in the conversation.

Vendor exceptions are translated into :mod:`claimstance.errors` types with ``raise … from``
in one place, :func:`claimstance.llm.transport.vendor_errors`.

Nothing is re-exported here: importing openai costs about half a second, and the cache
and pool are imported by every run, including ones that answer from the cache alone.
"""
