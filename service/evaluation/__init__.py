"""Scoring extractions against human annotations: the brat gold reader, the metrics and
their span geometry, the report tables, and the ``evaluate`` command's logic.
May import: pipeline and everything below it (never batch or cli)."""
