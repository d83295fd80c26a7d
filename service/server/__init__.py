"""The HTTP service (``claimstance serve``): FastAPI routes, jobs, auth, limits, metrics.

May import: batch, pipeline and everything below them; only the cli imports it.
"""
