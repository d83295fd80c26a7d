"""The Python client of ``claimstance serve``: ``Client`` and ``AsyncClient``.

May import: errors, schemas (and httpx). Never the pipeline: a client machine needs no model.
"""
