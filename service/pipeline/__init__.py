"""One article in, one Extraction out: the Extractor, the run context (cache, client,
limiter), the two strategies (``article``, ``guided``), assembly and the speaker registry.
May import: detect, grounding, llm, local_model, text, prompts, config, errors, schemas."""
